namespace Functions.ControlPlane.Tests.Modules;

public sealed class ModuleUploadReaderTests
{
    [Theory]
    [InlineData("multipart/form-data; boundary=another-boundary")]
    [InlineData("multipart/form-data; boundary=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public async Task A_form_read_with_a_boundary_it_does_not_contain_is_a_400_not_an_exception(string contentType)
    {
        // Found by ModuleUploadReaderProperties: MultipartReader's IOException ("Unexpected end of Stream") escaped as a 500.
        var (body, _) = await new ModuleUploadReaderProperties.Form([], [1, 2, 3], 0, Named: false, Quoted: false).RenderAsync();

        var (bytes, problem) = await ModuleUploadReaderProperties.ReadAsync(body, contentType, body.Length, limit: 1024);

        Assert.Null(bytes);
        Assert.Equal(400, problem?.StatusCode);
        Assert.Equal("Malformed multipart form", problem?.ProblemDetails.Title);
    }
}
