using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Functions.Testing;
using Functions.Testing.Hosts;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Functions.EndToEnd.Tests.Browser;

/// <summary>
/// The Swagger UI a user opens first, in a real browser against a real control plane and worker: authorize with the
/// admin key, upload a module with the file picker, deploy it by editing the JSON body, and call the function.
/// </summary>
public sealed partial class SwaggerUiTests(ITestOutputHelper output)
{
    private const string Route = "/from-swagger";

    [SkippableFact]
    public async Task A_module_uploaded_and_deployed_through_swagger_ui_answers_on_the_worker()
    {
        Skip.IfNot(Chromium.Installed, Chromium.MissingMessage);
        var module = Samples.Path("hello");
        await using var platform = await TestPlatform.StartAsync("swagger-ui", workers: 1);
        await using var browser = await Chromium.StartAsync();
        var page = await browser.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                output.WriteLine($"browser console: {message.Text}");
            }
        };
        var ui = new SwaggerUi(page);

        try
        {
            await ui.OpenAsync(platform.ControlPlane.Address);
            await ui.AuthorizeAsync(platform.AdminKey);

            var upload = await ui.TryItOutAsync("post", "/api/v1/modules");
            await upload.Locator("input[type='file']").SetInputFilesAsync(module);
            var (uploadStatus, uploadBody) = await SwaggerUi.ExecuteAsync(upload);
            await ScreenshotAsync(page, "swagger-ui-upload", upload.Locator(".live-responses-table"));
            Assert.True(uploadStatus is 200 or 201, $"the upload answered {uploadStatus}: {uploadBody}");
            var digest = Digest().Match(uploadBody).Value;
            Assert.False(string.IsNullOrEmpty(digest), $"no digest in the upload's response as the UI shows it: {uploadBody}");

            var deploy = await ui.TryItOutAsync("put", "/api/v1/apps/{name}");
            await deploy.Locator("tr[data-param-name='name'] input").FillAsync("swagger-ui");
            var body = JsonSerializer.Serialize(new { routes = new[] { new { route = Route, module = digest } } });
            await deploy.Locator("textarea.body-param__text").FillAsync(body);
            var (deployStatus, deployBody) = await SwaggerUi.ExecuteAsync(deploy);
            await ScreenshotAsync(page, "swagger-ui-deploy", deploy.Locator(".live-responses-table"));
            Assert.True(deployStatus == 201, $"the deployment answered {deployStatus}: {deployBody}");
            Assert.Equal("swagger-ui", JsonNode.Parse(deployBody)?["app"]?.GetValue<string>());
        }
        catch
        {
            await TryScreenshotAsync(page, "swagger-ui-failure");
            throw;
        }

        var (status, answer) = await CallUntilServedAsync(platform.Workers[0].Address, TimeSpan.FromSeconds(30));
        Assert.True(status == HttpStatusCode.OK, $"the worker answered {(int)status} for {Route}: {answer}");
        Assert.StartsWith("Hello from a WebAssembly function!", answer, StringComparison.Ordinal);
        Assert.Contains($"path:    {Route}\n", answer, StringComparison.Ordinal);
    }

    // The worker applies the deployment when the control plane rings it; until then the route is a 404.
    private static async Task<(HttpStatusCode Status, string Body)> CallUntilServedAsync(Uri worker, TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = worker, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            using var response = await http.GetAsync(new Uri(Route, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return (response.StatusCode, body);
            }

            await Task.Delay(200);
        }
    }

    // A failure's picture must not hide the failure itself.
    private async Task TryScreenshotAsync(IPage page, string name)
    {
        try
        {
            await ScreenshotAsync(page, name);
        }
        catch (PlaywrightException e)
        {
            output.WriteLine($"no failure screenshot: {e.Message}");
        }
    }

    // What a person sees with `focus` scrolled into view (else the whole page), saved in the checkout's ignored .local/.
    private async Task ScreenshotAsync(IPage page, string name, ILocator? focus = null)
    {
        var path = Path.Combine(RepoPaths.Root, ".local", "screenshots", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (focus is not null)
        {
            await focus.ScrollIntoViewIfNeededAsync();
        }

        await page.ScreenshotAsync(new() { Path = path, FullPage = focus is null });
        output.WriteLine($"screenshot: {path}");
    }

    [GeneratedRegex("sha256:[0-9a-f]{64}")]
    private static partial Regex Digest();
}
