using Microsoft.Playwright;

namespace Functions.EndToEnd.Tests.Browser;

/// <summary>
/// Debian's Chromium (<c>apt-get install chromium</c>, which <c>deploy/test.sh</c> does), driven by Playwright. Playwright
/// cannot download its own browsers here; its driver (node and playwright-core) ships inside the NuGet package and is
/// copied to the test output's <c>.playwright</c> folder, so nothing is fetched at run time.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static bool Installed => File.Exists(ExecutablePath);

    public static string MissingMessage =>
        $"Chromium is not installed at {ExecutablePath}: install it with 'apt-get install -y chromium' " +
        "(./deploy/test.sh does) to run the browser tests.";

    // No sandbox: the tests run as root in a container, where Chromium's sandbox cannot start. The rest keeps a
    // headless run from reaching for the network (updates, sync, QUIC probes) or a GPU.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    /// <summary>A headless Chromium with a fresh profile, removed again when the session is disposed.</summary>
    public static async Task<BrowserSession> StartAsync()
    {
        // Belt and braces: nothing in a test may try to download a browser.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var profile = Directory.CreateTempSubdirectory("functions-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
                ViewportSize = new ViewportSize { Width = 1280, Height = 1600 },
            });
            return new BrowserSession(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }
}
