using System.Globalization;
using Microsoft.Playwright;

namespace Functions.EndToEnd.Tests.Browser;

/// <summary>
/// The control plane's Swagger UI, operated the way a person does: buttons and fields found by swagger-ui's own
/// classes and the operation's method and path, never by generated ids.
/// </summary>
internal sealed class SwaggerUi(IPage page)
{
    public IPage Page { get; } = page;

    public async Task OpenAsync(Uri controlPlane)
    {
        await Page.GotoAsync(new Uri(controlPlane, "swagger/index.html").AbsoluteUri);
        // The page is a shell until swagger-ui has fetched and rendered the OpenAPI document.
        await Page.Locator(".opblock").First.WaitForAsync();
    }

    /// <summary>Authorize → paste the key → Authorize → Close, then checks the dialog said it took it.</summary>
    public async Task AuthorizeAsync(string key)
    {
        await Page.Locator(".auth-wrapper button.authorize").ClickAsync();
        var dialog = Page.Locator(".modal-ux");
        await dialog.Locator("input[name='bearer'], input[type='text'], input[type='password']").First.FillAsync(key);
        await dialog.Locator("button.modal-btn.authorize").ClickAsync();
        // Once authorized the dialog swaps its Authorize button for Logout.
        await dialog.Locator("button.modal-btn:has-text('Logout')").WaitForAsync();
        await dialog.Locator("button.btn-done").ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    /// <summary>Expands the operation (e.g. <c>post</c>, <c>/api/v1/modules</c>) and presses "Try it out".</summary>
    public async Task<ILocator> TryItOutAsync(string method, string path)
    {
        var operation = Page.Locator($".opblock.opblock-{method}")
            .Filter(new() { Has = Page.Locator($".opblock-summary-path[data-path='{path}']") });
        await operation.Locator(".opblock-summary").First.ClickAsync();
        await operation.Locator(".try-out__btn").ClickAsync();
        await operation.Locator("button.execute").WaitForAsync();
        return operation;
    }

    /// <summary>Presses Execute and returns the status code and body the UI shows for the server's answer.</summary>
    public static async Task<(int Status, string Body)> ExecuteAsync(ILocator operation)
    {
        await operation.Locator("button.execute").ClickAsync();
        var live = operation.Locator(".responses-wrapper .live-responses-table");
        var status = live.Locator("tbody .response-col_status").First;
        await status.WaitForAsync(new() { Timeout = 60_000 });
        var body = live.Locator("tbody .response-col_description .microlight").First;
        await body.WaitForAsync();
        return (int.Parse((await status.InnerTextAsync()).Trim(), CultureInfo.InvariantCulture), await body.InnerTextAsync());
    }
}
