namespace Functions.Files;

/// <summary>The archive is not an acceptable bundle. The message says what is wrong and what to fix;
/// <see cref="EntryPath"/> names the entry when there is one.</summary>
public sealed class BundleFormatException : Exception
{
    public BundleFormatException() { }

    public BundleFormatException(string message) : base(message) { }

    public BundleFormatException(string message, Exception innerException) : base(message, innerException) { }

    public BundleFormatException(string message, string? entryPath, Exception? innerException = null)
        : base(message, innerException) => EntryPath = entryPath;

    public string? EntryPath { get; }

    /// <summary>When a limit was exceeded: its setting (one of the <c>*Setting</c> constants of
    /// <see cref="BundleLimits"/>, e.g. <see cref="BundleLimits.MaxArchiveBytesSetting"/> for a 413); otherwise null.</summary>
    public string? LimitSetting { get; private init; }

    internal static BundleFormatException LimitExceeded(string message, string setting) =>
        new(message, entryPath: null) { LimitSetting = setting };
}
