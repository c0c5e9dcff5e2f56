using Functions.Cli;

return await CliApp.RunAsync(args, CliHost.FromConsole());
