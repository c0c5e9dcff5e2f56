namespace Functions.Cli.Wagi;

/// <summary>Something about one field of a WAGI modules.toml: not carried over, worth knowing, or in the way.</summary>
/// <param name="Module">The <c>[[module]]</c> table, counted from 1; null for the file as a whole.</param>
/// <param name="Route">That table's route, when it has one.</param>
/// <param name="Field">The field, e.g. <c>allowed_hosts</c>; null for the table as a whole.</param>
/// <param name="Value">The field's value as written (JSON), when it says something.</param>
/// <param name="Message">What happens to it, and what to do.</param>
/// <param name="Table">The table by name when it is not a numbered <c>[[module]]</c>, e.g. <c>[component.web]</c> of a spin.toml.</param>
internal sealed record ImportIssue(int? Module, string? Route, string? Field, string? Value, string Message, string? Table = null)
{
    /// <summary>
    /// <c>[[module]] #3 (/http-example) allowed_hosts</c>; just the field for the file's own keys; empty for the file.
    /// </summary>
    public string Where
    {
        get
        {
            var label = Table ?? (Module is { } n ? $"[[module]] #{n}" : null);
            var table = label is null ? null : label + (Route is null ? "" : $" ({Route})");
            return (table, Field) switch
            {
                (null, null) => "",
                (null, var name) => name,
                (var t, null) => t,
                var (t, name) => $"{t} {name}",
            };
        }
    }

    public override string ToString() => (Where, Value) switch
    {
        ("", _) => Message,
        (var where, null) => $"{where}: {Message}",
        var (where, value) => $"{where} = {value}: {Message}",
    };
}
