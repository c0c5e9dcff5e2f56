using System.CommandLine;
using Functions.Cli.Api;
using Functions.Cli.Oci;
using Functions.Cli.Output;
using Functions.Oci;

namespace Functions.Cli.Commands;

/// <summary><c>push MODULE.wasm REF</c>: publishes a module to an OCI registry as a CNCF Wasm artifact.</summary>
internal static class PushCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var module = new Argument<FileInfo>("module") { Description = "The WebAssembly module (.wasm) to push" };
        var reference = new Argument<string>("reference") { Description = "Where to push it: HOST[:PORT]/REPOSITORY[:TAG] (tag latest when none)" };
        var insecure = new Option<bool>("--insecure") { Description = "Speak plain HTTP to this registry (a development registry; never over a network you do not trust)" };
        var command = new Command("push",
            "Push a module to an OCI registry as a Wasm artifact (application/wasm layer, application/vnd.wasm.config.v0+json config) and print its manifest digest. " +
            $"Login: {RegistryLogins.UsernameVariable} and {RegistryLogins.PasswordVariable}, else ~/.docker/config.json")
        {
            module, reference, insecure,
        };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var file = parse.GetValue(module)!;
            if (!OciReference.TryParse(parse.GetValue(reference)!, out var target, out var error))
            {
                throw new CliException(error);
            }

            await using var stream = OpenModule(file);
            var settings = new OciRegistrySettings();
            if (parse.GetValue(insecure))
            {
                settings.Insecure.Add(target.Registry);
            }

            if (RegistryLogins.Find(context.Host.Environment, target.Registry) is { } login)
            {
                settings.Credentials[target.Registry] = login;
            }

            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
            OciPushedModule pushed;
            try
            {
                pushed = await new OciClient(http, settings).PushModuleAsync(target, stream, cancel);
            }
            catch (OciException e)
            {
                return ErrorReporter.Report(context.Output, e);
            }

            context.Output.Document(new PushDocument(target.ToString(), pushed.ManifestDigest, pushed.LayerDigest, pushed.Size), ApiJson.Default.PushDocument);
            context.Output.Note($"Pushed {file.Name} ({pushed.Size} bytes, layer {pushed.LayerDigest}) to {target}; pull it as {target.Registry}/{target.Repository}@{pushed.ManifestDigest}");
            context.Output.Line(pushed.ManifestDigest);
            return ExitCodes.Success;
        });
        return command;
    }

    private static FileStream OpenModule(FileInfo file)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the module {file.FullName}: {e.Message}");
        }

        Span<byte> magic = stackalloc byte[4];
        if (stream.Read(magic) < 4 || !magic.SequenceEqual("\0asm"u8))
        {
            stream.Dispose();
            throw new CliException($"{file.FullName} is not a WebAssembly module (it does not start with \\0asm): push the compiled .wasm file.");
        }

        stream.Position = 0;
        return stream;
    }
}

/// <summary><c>--json</c> of <c>push</c>: where the module went and its digests.</summary>
internal sealed record PushDocument(string Reference, string ManifestDigest, string LayerDigest, long Size);
