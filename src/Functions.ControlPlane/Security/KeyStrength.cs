namespace Functions.ControlPlane.Security;

/// <summary>
/// Refuses keys that only look like keys: the placeholders this repository ships (<c>.env.example</c>'s
/// <c>change-me-…</c>, the Kubernetes base's <c>REPLACE-ME-…</c>) and keys with little entropy (<c>aaaa…</c>,
/// <c>abab…</c>). A heuristic, not a proof: it catches what was never replaced, not every weak choice.
/// </summary>
public static class KeyStrength
{
    public const int MinLength = 16;

    /// <summary>
    /// Fewest bits a key must carry, estimated as its length times the Shannon entropy of its characters: a random
    /// 16-character key of letters and digits scores about 55-60, <c>openssl rand -base64 32</c> about 200.
    /// </summary>
    public const double MinEntropyBits = 48;

    public const string HowToGenerate = "generate one with `openssl rand -base64 32`";

    // Compared with the key lowercased and stripped of everything but letters and digits.
    private static readonly string[] Placeholders = ["replaceme", "changeme", "placeholder", "yourkey", "example"];

    /// <summary>Why the key is not good enough, or null when it is.</summary>
    public static string? Weakness(string key)
    {
        if (key.Length < MinLength)
        {
            return $"it must be at least {MinLength} characters";
        }

        var letters = new string([.. key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        if (Placeholders.FirstOrDefault(p => letters.Contains(p, StringComparison.Ordinal)) is { } placeholder)
        {
            return $"it is a placeholder (it contains '{placeholder}'), not a key";
        }

        var bits = EntropyBits(key);
        return bits < MinEntropyBits
            ? $"it has too little entropy (about {bits:F0} bits estimated, at least {MinEntropyBits:F0} needed: repeated characters or patterns)"
            : null;
    }

    /// <summary>Length × Shannon entropy per character.</summary>
    public static double EntropyBits(string key)
    {
        if (key.Length == 0)
        {
            return 0;
        }

        var perCharacter = key.GroupBy(c => c)
            .Select(g => (double)g.Count() / key.Length)
            .Sum(p => -p * Math.Log2(p));
        return perCharacter * key.Length;
    }
}
