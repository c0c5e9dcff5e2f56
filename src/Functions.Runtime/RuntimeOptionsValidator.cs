using Microsoft.Extensions.Options;

namespace Functions.Runtime;

/// <summary>Validates <see cref="RuntimeOptions"/> at host start-up (register it and call <c>ValidateOnStart</c>).</summary>
public sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
