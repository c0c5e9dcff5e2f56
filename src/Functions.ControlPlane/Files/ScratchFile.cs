namespace Functions.ControlPlane.Files;

/// <summary>
/// A request's scratch file (an uploaded bundle, a pulled module): created new, readable by this process only, and
/// deleted when closed, so when the request ends, whatever happens.
/// </summary>
internal static class ScratchFile
{
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
