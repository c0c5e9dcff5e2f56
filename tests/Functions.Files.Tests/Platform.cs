using System.Runtime.Versioning;

// Bundles keep Unix modes and symbolic links; the tests check them, so they run on Linux (as the workers do).
[assembly: UnsupportedOSPlatform("windows")]
