using Functions.Contracts;

namespace Functions.Cli.Commands;

/// <summary>
/// A digest argument as <c>modules rm</c>, <c>files show</c> and <c>files rm</c> take it: a whole digest (with or
/// without <c>sha256:</c>, any case), or a prefix that matches exactly one of the stored digests.
/// </summary>
/// <param name="NotADigest">The message for text that is no digest or prefix, given the text.</param>
/// <param name="NoneMatch">The message when no stored digest starts with the prefix, given the text.</param>
/// <param name="Plural">What the digests name, for "matches N …; give more of the digest".</param>
internal sealed record DigestArgument(Func<string, string> NotADigest, Func<string, string> NoneMatch, string Plural)
{
    /// <summary>The full digest for <paramref name="given"/>; <paramref name="stored"/> lists the candidates for a prefix.</summary>
    public async Task<string> ResolveAsync(string given, Func<CancellationToken, Task<IEnumerable<string>>> stored, CancellationToken cancel)
    {
        if (ContentDigest.Normalize(given.Trim()) is { } full)
        {
            return full;
        }

        var text = given.Trim().ToLowerInvariant();
        var hex = text.StartsWith(ContentDigest.Prefix, StringComparison.Ordinal) ? text[ContentDigest.Prefix.Length..] : text;
        if (hex.Length == 0 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new CliException(NotADigest(given));
        }

        var matches = (await stored(cancel).ConfigureAwait(false))
            .Where(digest => digest.StartsWith(ContentDigest.Prefix + hex, StringComparison.Ordinal))
            .ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException(NoneMatch(given)),
            _ => throw new CliException($"'{given}' matches {matches.Count} {Plural}; give more of the digest:", matches),
        };
    }
}
