using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Files;
using Functions.ControlPlane.Tests.Support;
using Npgsql;
using static Functions.ControlPlane.Tests.Files.Archives;

namespace Functions.ControlPlane.Tests.Files;

/// <summary>A control plane with small bundle limits, so that tests can pass them.</summary>
public sealed class SmallFilesLimitsApp : ControlPlaneApp
{
    public const int MaxArchiveBytes = 64 * 1024;
    public const int MaxEntries = 3;

    public SmallFilesLimitsApp()
    {
        Settings["Functions:Files:MaxArchiveBytes"] = MaxArchiveBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Functions:Files:MaxUnpackedBytes"] = "100000";
        Settings["Functions:Files:MaxEntries"] = MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class FilesApiTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task A_tar_and_a_gzipped_tar_of_the_same_content_give_one_digest_201_then_200_and_are_stored_once()
    {
        var tar = Tar(DateTimeOffset.UnixEpoch.AddDays(19000), 1000,
            Member.Directory("site"), Member.File("site/index.html", "<h1>same</h1>"), Member.File("site/a.css", "a{}"));
        var reordered = Gzip(Tar(DateTimeOffset.UnixEpoch.AddDays(20500), 0,
            Member.File("site/a.css", "a{}"), Member.File("site/index.html", "<h1>same</h1>")));

        using var first = await PostAsync(tar, "application/x-tar");
        var before = await app.SnapshotAsync();
        using var second = await PostAsync(reordered, "application/gzip");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = (await first.Content.ReadFromJsonAsync<FileBundleView>())!;
        var again = (await second.Content.ReadFromJsonAsync<FileBundleView>())!;
        Assert.Matches("^sha256:[0-9a-f]{64}$", created.Digest);
        Assert.Equal(created.Digest, again.Digest);
        Assert.Equal((16L, 2), (created.Size, created.Files));
        Assert.Equal($"/api/v1/files/{created.Digest}", first.Headers.Location?.OriginalString);
        Assert.Equal(before, await app.SnapshotAsync());
        using var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal(16, body.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(2, body.RootElement.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task Concurrent_uploads_of_the_same_content_store_it_once_and_none_fails()
    {
        var tar = Tar(Member.File("race.txt", "one of four"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(tar, "application/x-tar")));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var digest = (await responses[0].Content.ReadFromJsonAsync<FileBundleView>())!.Digest;
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM file_bundles WHERE digest = '{digest}'"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_bundle_shows_its_listing_in_path_order_a_page_at_a_time()
    {
        var digest = await UploadAsync(Tar(
            Member.File("b/z.txt", "zz", (UnixFileMode)0b111_101_101),
            Member.File("a.txt", "a"),
            new Member("b/link", Type: System.Formats.Tar.TarEntryType.SymbolicLink, LinkTarget: "z.txt")));

        var first = await app.Admin().GetFromJsonAsync<FileBundleDetail>($"/api/v1/files/{digest}?pageSize=2");
        var second = await app.Admin().GetFromJsonAsync<FileBundleDetail>($"/api/v1/files/{digest}?pageSize=2&pageIndex=1");

        Assert.Equal(digest, first!.Bundle.Digest);
        Assert.Equal(4, first.Listing.Count);
        Assert.Equal(
            [new FileEntryView("a.txt", "file", 0b110_100_100, 1, null), new FileEntryView("b", "directory", 0b111_101_101, 0, null)],
            first.Listing.Items);
        Assert.Equal(
            [new FileEntryView("b/link", "symlink", 0b111_111_111, 0, "z.txt"), new FileEntryView("b/z.txt", "file", 0b111_101_101, 2, null)],
            second!.Listing.Items);
    }

    [Fact]
    public async Task The_bundle_list_is_paged_and_counts_every_bundle()
    {
        await UploadAsync(Tar(Member.File("p1.txt", "1")));
        await UploadAsync(Tar(Member.File("p2.txt", "2")));
        await UploadAsync(Tar(Member.File("p3.txt", "3")));

        var page = await app.Admin().GetFromJsonAsync<PaginatedItems<FileBundleView>>("/api/v1/files?pageIndex=0&pageSize=2");
        var next = await app.Admin().GetFromJsonAsync<PaginatedItems<FileBundleView>>("/api/v1/files?pageIndex=1&pageSize=2");

        Assert.Equal(2, page!.Items.Count);
        Assert.True(page.Count >= 3);
        Assert.DoesNotContain(next!.Items, b => page.Items.Any(p => p.Digest == b.Digest));
        using var bad = await app.Admin().GetAsync(new Uri("/api/v1/files?pageSize=0", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    public static TheoryData<string, byte[]> BadArchives() => new()
    {
        { "not a tar", "this is not a tar archive at all, just some text that goes on"u8.ToArray() },
        { "a path with ..", Tar(Member.File("ok.txt", "fine"), Member.File("../escape.txt", "out")) },
        { "an absolute path", Tar(Member.File("/etc/passwd", "root")) },
        { "a link out of the bundle", Tar(new Member("out", Type: System.Formats.Tar.TarEntryType.SymbolicLink, LinkTarget: "../../etc")) },
        { "a hard link", Tar(Member.File("a", "x"), new Member("b", Type: System.Formats.Tar.TarEntryType.HardLink, LinkTarget: "a")) },
        { "a FIFO", Tar(new Member("pipe", Type: System.Formats.Tar.TarEntryType.Fifo)) },
        { "a duplicate path", Tar(Member.File("same.txt", "1"), Member.File("./same.txt", "2")) },
        { "a truncated tar", Tar(Member.File("big.txt", new string('x', 5000)))[..2048] },
    };

    [Theory]
    [MemberData(nameof(BadArchives))]
    public async Task A_bad_archive_answers_400_saying_what_to_fix_and_stores_nothing(string why, byte[] archive)
    {
        var before = await app.SnapshotAsync();

        using var response = await PostAsync(archive, "application/x-tar");

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{why}: {(int)response.StatusCode}");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()), why);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_bad_entry_is_named_in_the_problem()
    {
        using var response = await PostAsync(Tar(Member.File("ok.txt", "fine"), Member.File("a/../../up.txt", "x")), "application/x-tar");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("up.txt", problem.RootElement.GetProperty("entry").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task Other_content_types_answer_415_naming_the_accepted_ones(string? mediaType)
    {
        var content = new ByteArrayContent(Tar(Member.File("x.txt", "x")));
        if (mediaType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/x-tar", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_no_release_mounts_is_deleted_then_not_found()
    {
        var digest = await UploadAsync(Tar(Member.File("gone.txt", "bye")));

        using var deleted = await app.Admin().DeleteAsync(new Uri($"/api/v1/files/{digest}", UriKind.Relative));
        using var again = await app.Admin().DeleteAsync(new Uri($"/api/v1/files/{digest}", UriKind.Relative));
        using var get = await app.Admin().GetAsync(new Uri($"/api/v1/files/{digest}", UriKind.Relative));
        using var invalid = await app.Admin().DeleteAsync(new Uri("/api/v1/files/sha256:nothex", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM file_bundle_chunks WHERE digest = '{digest}'"));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM file_bundle_entries WHERE digest = '{digest}'"));
    }

    [Fact]
    public async Task Workers_download_the_exact_canonical_tar_whose_sha256_is_the_digest_in_1_MiB_chunk_rows()
    {
        var big = new byte[(5 << 20) / 2];
        new Random(13).NextBytes(big);
        var digest = await UploadAsync(Tar(new Member("data.bin", big), Member.File("readme.txt", "hi")));

        using var response = await app.Worker().GetAsync(new Uri($"/internal/v1/files/{digest}/content", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), digest);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{digest}\"", response.Headers.ETag?.Tag);
        Assert.Equal((long)((bytes.Length + PostgresFileBundleStore.ChunkBytes - 1) / PostgresFileBundleStore.ChunkBytes),
            await ScalarAsync($"SELECT count(*) FROM file_bundle_chunks WHERE digest = '{digest}'"));
        Assert.Equal((long)PostgresFileBundleStore.ChunkBytes,
            await ScalarAsync($"SELECT max(length(data))::bigint FROM file_bundle_chunks WHERE digest = '{digest}'"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/internal/v1/files/{digest}/content");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{digest}\""));
        using var notModified = await app.Worker().SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using var unknown = await app.Worker().GetAsync(new Uri($"/internal/v1/files/sha256:{new string('0', 64)}/content", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_store_takes_and_gives_streams_never_whole_archives()
    {
        // The memory rule, as far as a test can hold it without measuring a shared process: every way in and out of
        // the store is a Stream, so no implementation is handed or asked for a byte[] of the archive.
        var methods = typeof(IFileBundleStore).GetMethods();
        Assert.DoesNotContain(methods.SelectMany(m => m.GetParameters()), p => p.ParameterType == typeof(byte[]));
        Assert.Contains(methods, m => m.Name == nameof(IFileBundleStore.AddAsync) && m.GetParameters().Any(p => p.ParameterType == typeof(Stream)));
        Assert.Equal(typeof(Stream), typeof(FileBundleContent).GetProperty(nameof(FileBundleContent.Content))!.PropertyType);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task The_api_description_documents_the_tar_upload_body()
    {
        await using var swagger = new Hosting.SwaggerApp();
        await swagger.InitializeAsync();
        using var document = JsonDocument.Parse(await swagger.Client(null).GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));

        var content = document.RootElement.GetProperty("paths").GetProperty("/api/v1/files").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content");
        Assert.Equal("binary", content.GetProperty("application/x-tar").GetProperty("schema").GetProperty("format").GetString());
        Assert.True(content.TryGetProperty("application/gzip", out _));
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] archive, string mediaType) =>
        await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative), Content(archive, mediaType));

    private async Task<string> UploadAsync(byte[] archive)
    {
        using var response = await PostAsync(archive, "application/x-tar");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<FileBundleView>())!.Digest;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class FilesLimitsTests(SmallFilesLimitsApp app) : IClassFixture<SmallFilesLimitsApp>
{
    [Fact]
    public async Task An_archive_declared_over_the_limit_answers_413_naming_the_setting()
    {
        var before = await app.SnapshotAsync();
        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative),
            Content(new byte[SmallFilesLimitsApp.MaxArchiveBytes + 1]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Functions:Files:MaxArchiveBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task An_archive_streamed_without_a_length_is_cut_at_the_limit_with_413()
    {
        var tar = Tar(new Member("big.bin", new byte[SmallFilesLimitsApp.MaxArchiveBytes]));
        var before = await app.SnapshotAsync();
        var content = new StreamContent(new UnknownLengthStream(tar));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Functions:Files:MaxArchiveBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Too_many_entries_answer_400_naming_the_setting_and_store_nothing()
    {
        var before = await app.SnapshotAsync();
        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative),
            Content(Tar(Member.File("1", "1"), Member.File("2", "2"), Member.File("3", "3"), Member.File("4", "4"))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Functions:Files:MaxEntries", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_decompression_bomb_answers_400_naming_the_unpacked_limit_and_stores_nothing()
    {
        // 1 MiB of zeros gzips to about 1 KiB: well under the archive limit, ten times the unpacked one.
        var bomb = Gzip(Tar(new Member("zeros.bin", new byte[1 << 20])));
        Assert.True(bomb.Length < SmallFilesLimitsApp.MaxArchiveBytes);
        var before = await app.SnapshotAsync();

        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative), Content(bomb, "application/gzip"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Functions:Files:MaxUnpackedBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked with no Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
