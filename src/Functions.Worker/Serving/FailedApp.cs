namespace Functions.Worker.Serving;

/// <summary>
/// An app whose active release this worker could not apply. It keeps serving its last good release, or nothing.
/// </summary>
/// <param name="App">The app's name.</param>
/// <param name="Release">The release that failed.</param>
/// <param name="Error">What went wrong, as reported to the control plane.</param>
/// <param name="Bindings">The fingerprint of the bindings that failed: the same bindings are not retried on every
/// generation (only on the periodic check), so a broken app does not cost every other deploy its rebuild.</param>
public sealed record FailedApp(string App, int Release, string Error, string Bindings);
