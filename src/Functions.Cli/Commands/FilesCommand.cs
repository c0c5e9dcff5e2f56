using System.CommandLine;
using System.Globalization;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Cli.Output;
using Functions.Contracts.Api;
using Functions.Files;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>files</c>: stored file bundles; <c>files show DIGEST</c>: one with its listing; <c>files upload DIR|TAR</c>:
/// packs a folder (or sends a tar as it is) and prints the digest; <c>files rm DIGEST</c>: deletes one no release uses.
/// </summary>
internal static class FilesCommand
{
    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var command = new Command("files", "List stored file bundles (files show, files upload, files rm)");
        CommandAction.Set(command, host, globals, async (context, _, cancel) =>
        {
            var bundles = await context.Api.ListFileBundlesAsync(cancel);
            var output = context.Output;
            output.Document(bundles, ApiJson.Default.IReadOnlyListFileBundleView);
            if (bundles.Count == 0)
            {
                output.Line("No file bundles stored yet. functions deploy uploads a route's files; functions files upload DIR uploads one.");
                return ExitCodes.Success;
            }

            output.Table(["DIGEST", "FILES", "SIZE", "UPLOADED"], bundles.Select(b => (IReadOnlyList<string>)
            [
                Formats.ShortDigest(b.Digest),
                b.Files.ToString(CultureInfo.InvariantCulture),
                Formats.Bytes(b.Size),
                Formats.Time(b.CreatedAt),
            ]));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(Show(host, globals));
        command.Subcommands.Add(Upload(host, globals));
        command.Subcommands.Add(Remove(host, globals));
        return command;
    }

    private static Command Show(CliHost host, GlobalOptions globals)
    {
        var digest = new Argument<string>("digest") { Description = "sha256:<hex>, or a unique prefix of it as 'files' shows" };
        var command = new Command("show", "Show a file bundle and its listing") { digest };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var full = await ResolveAsync(context.Api, parse.GetValue(digest)!, cancel);
            var entries = new List<FileEntryView>();
            FileBundleView? bundle = null;
            for (var index = 0; ; index++)
            {
                var page = await context.Api.GetFileBundleAsync(full, index, ApiClient.MaxPageSize, cancel)
                    ?? throw new CliException($"No file bundle {full} is stored (functions files lists them).");
                bundle = page.Bundle;
                entries.AddRange(page.Listing.Items);
                if (page.Listing.Items.Count == 0 || entries.Count >= page.Listing.Count)
                {
                    break;
                }
            }

            var detail = new FileBundleDetail(bundle, new PaginatedItems<FileEntryView>(0, entries.Count, entries.Count, entries));
            var output = context.Output;
            output.Document(detail, ApiJson.Default.FileBundleDetail);
            output.Line($"{bundle.Digest}: {DeployCommand.Plural(bundle.Files, "file")}, {Formats.Bytes(bundle.Size)} unpacked, " +
                $"uploaded {Formats.Time(bundle.CreatedAt)}.");
            output.Table(["MODE", "SIZE", "PATH"], entries.Select(e => (IReadOnlyList<string>)
            [
                (e.Kind switch { "directory" => "d", "symlink" => "l", _ => "-" }) + Convert.ToString(e.Mode, 8).PadLeft(4, '0'),
                e.Kind == "file" ? Formats.Bytes(e.Size) : "",
                e.Kind switch { "directory" => e.Path + "/", "symlink" => $"{e.Path} -> {e.LinkTarget}", _ => e.Path },
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Upload(CliHost host, GlobalOptions globals)
    {
        var source = new Argument<string>("source") { Description = "A folder to pack, or a .tar / .tar.gz archive to send as it is" };
        var command = new Command("upload", "Upload a folder or tar archive as a file bundle and print its digest") { source };
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var path = Path.GetFullPath(parse.GetValue(source)!);
            var output = context.Output;
            FileUpload upload;
            if (Directory.Exists(path))
            {
                using var packed = await BundlePacker.PackAsync(BundlePlan.FromFolder(path, parse.GetValue(source)!), cancel);
                upload = await new Deployer(context.Api, output).EnsureBundleUploadedAsync(parse.GetValue(source)!, packed, cancel);
            }
            else if (File.Exists(path))
            {
                var size = new FileInfo(path).Length;
                var progress = output.Progress($"Uploading {Path.GetFileName(path)}", size);
                var (bundle, created) = await context.Api.UploadFileBundleAsync(path, IsGzip(path), progress, cancel);
                progress?.Complete();
                upload = new FileUpload(parse.GetValue(source)!, bundle.Digest, bundle.CanonicalSize, bundle.Files, created);
            }
            else
            {
                throw new CliException($"Not found: {path} (give a folder or a .tar / .tar.gz file).");
            }

            output.Document(upload, ApiJson.Default.FileUpload);
            output.Line(upload.Digest);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliHost host, GlobalOptions globals)
    {
        var digest = new Argument<string>("digest") { Description = "sha256:<hex>, or a unique prefix of it as 'files' shows" };
        var command = new Command("rm", "Delete a file bundle; refused while a release uses it") { digest };
        command.Aliases.Add("delete");
        CommandAction.Set(command, host, globals, async (context, parse, cancel) =>
        {
            var full = await ResolveAsync(context.Api, parse.GetValue(digest)!, cancel);
            await context.Api.DeleteFileBundleAsync(full, cancel);
            context.Output.Document(new Deleted("files", full), ApiJson.Default.Deleted);
            context.Output.Line($"Deleted file bundle {full}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsGzip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return file.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    private static readonly DigestArgument Bundle = new(
        given => $"'{given}' is not a bundle digest: {BundleDigest.FormatHint} (or a prefix of it as 'functions files' lists).",
        given => $"No stored file bundle's digest starts with '{given}' (functions files lists them).",
        "bundles");

    private static Task<string> ResolveAsync(ApiClient api, string given, CancellationToken cancel) =>
        Bundle.ResolveAsync(given, async c => (await api.ListFileBundlesAsync(c).ConfigureAwait(false)).Select(b => b.Digest), cancel);
}
