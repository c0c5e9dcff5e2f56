using System.Net.Http.Headers;
using CsCheck;
using Functions.ControlPlane.Modules;
using Functions.Modules;
using Functions.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Functions.ControlPlane.Tests.Modules;

/// <summary>
/// Properties of the module upload path in process, over random and mutated inputs: the reader gives back exactly the
/// bytes sent (raw or as the form's <c>file</c>) or a problem document with 400, 413 or 415, and the inspector a
/// module description or one of its documented errors; neither ever throws.
/// </summary>
public sealed class ModuleUploadReaderProperties
{
    private static readonly int[] ClientErrors = [400, 413, 415];

    private static readonly Gen<byte[]> Content = Gen.Frequency(
        (3, Gen.Byte.Array[0, 300]),
        (1, Gen.OneOf("\r\n", "--", "boundary", "Content-Disposition: form-data; name=\"file\"", "\r\n\r\n", "x")
            .Array[0, 12].Select(parts => System.Text.Encoding.ASCII.GetBytes(string.Concat(parts)))));

    // A form as HttpClient writes it: the file among other fields, in any order, with or without a file name.
    private static readonly Gen<Form> Forms = Gen.Select(
        Content, Gen.Select(Gen.String[Gen.Char["abcfile_"], 1, 6], Content).Array[0, 3], Gen.Int[0, 3], Gen.Bool, Gen.Bool,
        (file, others, at, named, quoted) => new Form(others, file, at, named, quoted));

    [Fact]
    public async Task A_raw_body_is_read_back_exactly_or_refused_as_empty_or_too_large()
    {
        await Gen.Select(Gen.Byte.Array[0, 400], Gen.Int[1, 300], Gen.Bool).SampleAsync(async (body, limit, declared) =>
        {
            var (bytes, problem) = await ReadAsync(body, "application/wasm", declared ? body.Length : null, limit);

            if (body.Length == 0)
            {
                Assert.Equal(400, problem?.StatusCode);
            }
            else if (body.Length > limit)
            {
                Assert.Equal(413, problem?.StatusCode);
            }
            else
            {
                Assert.Null(problem);
                Assert.Equal(body, bytes);
            }
        }, iter: PropertyRuns.Iterations(2_000));
    }

    [Fact]
    public async Task The_file_field_of_a_form_is_read_back_exactly()
    {
        await Forms.SampleAsync(async form =>
        {
            var (body, contentType) = await form.RenderAsync();

            var (bytes, problem) = await ReadAsync(body, contentType, body.Length, limit: 1024);

            if (form.File.Length == 0)
            {
                Assert.Equal(400, problem?.StatusCode);
            }
            else
            {
                Assert.Null(problem?.ProblemDetails.Detail);
                Assert.Equal(form.File, bytes);
            }
        }, iter: PropertyRuns.Iterations(1_000));
    }

    [Fact]
    public async Task A_mutated_form_or_content_type_gives_the_bytes_or_a_client_error_never_an_exception()
    {
        var contentTypes = Gen.OneOf(
            "multipart/form-data; boundary=", "multipart/form-data", "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=x",
            "multipart/form-data; boundary=" + new string('b', 200), "multipart/form-data; boundary=a; boundary=b",
            "application/x-www-form-urlencoded", "multipart/mixed; boundary=x", "text/plain", "", ";;", "multipart/form-data; boundary=\"unclosed");
        var cases = Gen.Select(Forms, Gen.Int.Array[0, 6], Gen.Byte.Array[6], contentTypes.Null(), Gen.Bool);

        await cases.SampleAsync(async (form, mutations, bytes, otherType, keepLength) =>
        {
            var (body, contentType) = await form.RenderAsync();
            var mutated = Mutate(body, mutations, bytes);

            var (read, problem) = await ReadAsync(mutated, otherType ?? contentType, keepLength ? body.Length : null, limit: 1024);

            if (problem is null)
            {
                Assert.NotNull(read);
                Assert.InRange(read.Length, 1, 1024);
            }
            else
            {
                Assert.Contains(problem.StatusCode, ClientErrors);
                Assert.False(string.IsNullOrWhiteSpace(problem.ProblemDetails.Detail));
            }
        }, iter: PropertyRuns.Iterations(3_000));
    }

    [Fact]
    public void A_mutated_module_is_described_or_refused_with_a_documented_error_never_an_exception()
    {
        using var inspector = new ModuleInspector();
        var modules = new[] { Fixtures.Bytes("hello-wat"), Fixtures.Bytes("routes"), Fixtures.Bytes("multi") };

        Gen.Select(Gen.Int[0, modules.Length - 1], Gen.Int.Array[1, 4], Gen.Byte.Array[4]).Sample((which, mutations, bytes) =>
        {
            var result = inspector.Inspect(Mutate(modules[which], mutations, bytes));

            if (result.Error is { } error)
            {
                Assert.True(Enum.IsDefined(error.Kind));
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                Assert.Null(result.Module);
            }
            else
            {
                Assert.NotEmpty(result.Module!.Entrypoints);
                Assert.All(result.Module.Entrypoints, e => Assert.Contains(e, result.Module.Exports));
            }
        }, iter: PropertyRuns.Iterations(300));
    }

    internal static async Task<(byte[]? Bytes, ProblemHttpResult? Problem)> ReadAsync(byte[] body, string? contentType, long? length, long limit)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = length;
        context.Request.Body = new MemoryStream(body);
        return await ModuleUploadReader.ReadAsync(context.Request, limit);
    }

    private static byte[] Mutate(byte[] input, int[] positions, byte[] bytes)
    {
        var list = input.ToList();
        for (var i = 0; i < positions.Length && list.Count > 0; i++)
        {
            var at = (positions[i] & 0x7fffffff) % list.Count;
            switch (positions[i] >>> 29)
            {
                case 0 or 1 or 2: list[at] = bytes[i % bytes.Length]; break;
                case 3 or 4: list.Insert(at, bytes[i % bytes.Length]); break;
                case 5: list.RemoveAt(at); break;
                default: list.RemoveRange(at, list.Count - at); break;
            }
        }

        return [.. list];
    }

    internal sealed record Form((string Name, byte[] Content)[] Others, byte[] File, int At, bool Named, bool Quoted)
    {
        public async Task<(byte[] Body, string ContentType)> RenderAsync()
        {
            using var form = new MultipartFormDataContent(Quoted ? "quoted-boundary" : "plain.boundary-1");
            var fields = Others.Where(o => o.Name != ModuleUploadReader.FormField)
                .Select(o => (o.Name, Content: o.Content)).ToList();
            fields.Insert(Math.Min(At, fields.Count), (ModuleUploadReader.FormField, File));
            foreach (var (name, content) in fields)
            {
                var part = new ByteArrayContent(content);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
                if (Named && name == ModuleUploadReader.FormField)
                {
                    form.Add(part, name, "module.wasm");
                }
                else
                {
                    form.Add(part, name);
                }
            }

            return (await form.ReadAsByteArrayAsync(), form.Headers.ContentType!.ToString());
        }
    }
}
