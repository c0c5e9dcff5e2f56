using Functions.ControlPlane.Security;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Hosting;

/// <summary>Refuses to start with settings that cannot work, saying which key to fix.</summary>
internal sealed class ControlPlaneOptionsValidator(IHostEnvironment environment) : IValidateOptions<ControlPlaneOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlPlaneOptions options)
    {
        var failures = new List<string>();
        if (options.MaxModuleBytes is < 1 or > ControlPlaneOptions.MaxModuleBytesCeiling)
        {
            failures.Add($"Functions:MaxModuleBytes must be between 1 and {ControlPlaneOptions.MaxModuleBytesCeiling} " +
                $"(Postgres bytea holds at most 1 GiB); got {options.MaxModuleBytes}.");
        }

        CheckKey(options.AdminKey, "The admin key (FUNCTIONS_ADMIN_KEY or Functions:AdminKey)", failures);
        CheckKey(options.WorkerKey, "The worker key (FUNCTIONS_WORKER_KEY or Functions:WorkerKey)", failures);

        if (options.AdminKey is not null && options.AdminKey == options.WorkerKey)
        {
            failures.Add("The admin key and the worker key must differ: the worker key may only read /internal/v1.");
        }

        if (options.VolumesRoot is { } root && (!Path.IsPathFullyQualified(root) || !Directory.Exists(root)))
        {
            failures.Add($"Functions:VolumesRoot must be an absolute path to an existing directory; got '{root}'.");
        }

        if (options.WorkerStaleAfter <= TimeSpan.Zero || options.PublishTimeout <= TimeSpan.Zero ||
            options.PublishRetryMaxDelay <= TimeSpan.Zero)
        {
            failures.Add("Functions:WorkerStaleAfter, PublishTimeout and PublishRetryMaxDelay must be positive.");
        }

        if (options.WorkerExpireAfter <= options.WorkerStaleAfter)
        {
            failures.Add($"Functions:WorkerExpireAfter ({options.WorkerExpireAfter}) must be longer than " +
                $"Functions:WorkerStaleAfter ({options.WorkerStaleAfter}): a node shows offline before it is forgotten.");
        }

        if (options.HeartbeatFlushInterval <= TimeSpan.Zero || options.HeartbeatFlushInterval >= options.WorkerStaleAfter)
        {
            failures.Add($"Functions:HeartbeatFlushInterval must be positive and shorter than Functions:WorkerStaleAfter " +
                $"({options.WorkerStaleAfter}), or live nodes would show offline; got {options.HeartbeatFlushInterval}.");
        }

        if (options.GenerationCacheTtl < TimeSpan.Zero)
        {
            failures.Add($"Functions:GenerationCacheTtl must not be negative (0 reads it every time); got {options.GenerationCacheTtl}.");
        }

        if (options.PullSpreadPerWorker < TimeSpan.Zero || options.PullSpreadMax < TimeSpan.Zero ||
            options.PullSpreadMax > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Functions:PullSpreadPerWorker and Functions:PullSpreadMax must not be negative, and PullSpreadMax " +
                $"at most 00:01:00 (0 turns the spread off); got {options.PullSpreadPerWorker} and {options.PullSpreadMax}.");
        }

        if (options.PullSpreadMinWorkers < 0)
        {
            failures.Add($"Functions:PullSpreadMinWorkers must not be negative; got {options.PullSpreadMinWorkers}.");
        }

        if (options.WorkerSweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"Functions:WorkerSweepInterval must be positive; got {options.WorkerSweepInterval}.");
        }

        var files = options.Files;
        if (files.MaxArchiveBytes < 1 || files.MaxUnpackedBytes < 1 || files.MaxEntries < 1)
        {
            failures.Add("Functions:Files:MaxArchiveBytes, MaxUnpackedBytes and MaxEntries must be positive; got " +
                $"{files.MaxArchiveBytes}, {files.MaxUnpackedBytes} and {files.MaxEntries}.");
        }

        if (files.ScratchDirectory is { Length: > 0 } scratch && !Path.IsPathFullyQualified(scratch))
        {
            failures.Add($"Functions:Files:ScratchDirectory must be an absolute path (it is created when missing); got '{scratch}'.");
        }

        if (options.MaxWorkers < 1)
        {
            failures.Add($"Functions:MaxWorkers must be at least 1; got {options.MaxWorkers}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Everywhere: at least 16 characters. Outside Development also no shipped placeholder and no low-entropy key, so
    // an .env copied unchanged from .env.example, or the Kubernetes base's secret, cannot reach production.
    private void CheckKey(string? key, string setting, List<string> failures)
    {
        if (key is null)
        {
            return;
        }

        if (key.Length < KeyStrength.MinLength)
        {
            failures.Add($"{setting} must be at least {KeyStrength.MinLength} characters: {KeyStrength.HowToGenerate}.");
        }
        else if (!environment.IsDevelopment() && KeyStrength.Weakness(key) is { } weakness)
        {
            failures.Add($"{setting} is refused: {weakness}. Set it to a random key: {KeyStrength.HowToGenerate}. " +
                $"(Such keys are accepted only when ASPNETCORE_ENVIRONMENT is Development; this is '{environment.EnvironmentName}'.)");
        }
    }
}
