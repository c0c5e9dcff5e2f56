using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Common;

/// <summary>Inputs a hostile or careless client sends: each answers 400 with a problem saying what to fix, never 500.</summary>
public sealed class BadInputTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    public static TheoryData<string, string> PagedLists => new()
    {
        { "/api/v1/apps?pageIndex=21474837&pageSize=100", "pageIndex" },
        { "/api/v1/modules?pageIndex=21474837&pageSize=100", "pageIndex" },
        { "/api/v1/apps/paged/releases?pageIndex=21474837&pageSize=100", "pageIndex" },
        { "/api/v1/workers?pageIndex=21474837&pageSize=100", "pageIndex" },
        { "/api/v1/apps?pageIndex=2147483647&pageSize=2", "pageIndex" },
        { "/api/v1/apps?pageIndex=99999999999", "pageIndex" },
        { "/api/v1/apps?pageIndex=abc", "pageIndex" },
        { "/api/v1/apps?pageSize=1e3", "pageSize" },
        { "/api/v1/modules?pageSize=-1", "pageSize" },
        { "/api/v1/workers?pageSize=101", "pageSize" },
    };

    [Theory]
    [MemberData(nameof(PagedLists))]
    public async Task Paging_parameters_out_of_range_or_not_numbers_answer_400_naming_the_parameter(string url, string field)
    {
        using var response = await app.Admin().GetAsync(new Uri(url, UriKind.Relative));

        var problem = await ProblemAsync(response);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"no error under '{field}': {problem}");
    }

    [Fact]
    public async Task The_last_page_that_fits_still_answers_200()
    {
        using var response = await app.Admin().GetAsync(new Uri($"/api/v1/apps?pageIndex={int.MaxValue / 100}&pageSize=100", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string> TruncatedForms => new()
    {
        // The closing boundary never comes.
        { "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.wasm\"\r\n\r\n\0asm\u0001\0\0\0", "b" },
        // Cut inside the part's headers.
        { "--b\r\nContent-Disposition: form-da", "b" },
        // Not even the first boundary.
        { "garbage", "b" },
        // A boundary longer than multipart allows (70).
        { "--" + new string('x', 100) + "\r\n", new string('x', 100) },
    };

    [Theory]
    [MemberData(nameof(TruncatedForms))]
    public async Task A_truncated_or_malformed_multipart_upload_answers_400_and_stores_nothing(string body, string boundary)
    {
        var before = await app.SnapshotAsync();
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/modules", UriKind.Relative), content);

        var problem = await ProblemAsync(response);
        Assert.Contains("multipart", problem.GetProperty("detail").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    public static TheoryData<string, string, byte[]> BadBodies => new()
    {
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("{\"routes\": [") },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("{\"routes\": 5}") },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("{\"routes\": [{\"route\": \"/a\", \"module\": \"m\", \"limits\": {\"timeoutMs\": 1e400}}]}") },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("{\"routes\": [{\"route\": \"/a\", \"module\": \"m\", \"limits\": {\"maxBodyBytes\": 99999999999999999999999}}]}") },
        { "PUT", "/api/v1/apps/bad-json", [.. "{\"routes\": [{\"route\": \"/"u8, 0xff, 0xfe, .. "\", \"module\": \"m\"}]}"u8] },
        { "PUT", "/api/v1/apps/bad-json", [.. "{\"routes\": [{\"route\": \"/a\", \"module\": \"m\", \"environment\": {\""u8, 0xc3, .. "\": \"x\"}}]}"u8] },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes(new string('[', 1000)) },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("{\"routes\": [{\"route\": \"/a\", \"module\": \"m\", \"environment\": {\"A\": null}}]}") },
        { "PUT", "/api/v1/apps/bad-json", Encoding.UTF8.GetBytes("null") },
        { "POST", "/api/v1/apps/bad-json/rollback", Encoding.UTF8.GetBytes("{\"version\": 4294967296}") },
        { "POST", "/api/v1/apps/bad-json/rollback", [.. "{\"version\": \""u8, 0xff, .. "\"}"u8] },
        { "POST", "/internal/v1/workers/heartbeat", [.. "{\"nodeId\": \""u8, 0xed, 0xa0, 0x80, .. "\"}"u8] },
        { "POST", "/internal/v1/workers/heartbeat", Encoding.UTF8.GetBytes("{\"nodeId\": \"n\", \"address\": \"a\", \"version\": \"1\", \"appliedGeneration\": 0, \"sentAt\": \"yesterday\"}") },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Malformed_json_wrong_types_huge_numbers_and_invalid_utf8_answer_400_and_write_nothing(string method, string url, byte[] body)
    {
        var before = await app.SnapshotAsync();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await app.Admin().SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative)) { Content = content });

        await ProblemAsync(response);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData("klingon")]
    [InlineData("\"\"")]
    [InlineData("utf-7")]
    public async Task A_json_body_in_an_unknown_charset_answers_400_naming_the_charset(string charset)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"routes\": []}"));
        content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");

        using var response = await app.Admin().PutAsync(new Uri("/api/v1/apps/klingon", UriKind.Relative), content);

        var problem = await ProblemAsync(response);
        Assert.Contains("charset", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_body_in_a_known_charset_other_than_utf8_is_read()
    {
        using var content = new ByteArrayContent(Encoding.Unicode.GetBytes("{\"version\": 0}"));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/apps/nobody/rollback", UriKind.Relative), content);

        // Read as JSON: the version is refused for its value, not the body for its encoding.
        var problem = await ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("version", out _), problem.ToString());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"no detail: {text}");
        return problem;
    }
}
