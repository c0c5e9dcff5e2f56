using Microsoft.Playwright;

namespace Functions.EndToEnd.Tests.Browser;

/// <summary>A running browser with its own profile folder; disposing closes the browser and deletes the profile.</summary>
internal sealed class BrowserSession(IPlaywright playwright, IBrowserContext context, string profile) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public async Task<IPage> NewPageAsync()
    {
        var page = Context.Pages.Count > 0 ? Context.Pages[0] : await Context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        page.SetDefaultNavigationTimeout(60_000);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        playwright.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; a leftover temp folder is harmless.
        }
    }
}
