using Functions.Cli.Commands;
using Functions.Testing;

namespace Functions.Cli.Tests.Templates;

/// <summary>
/// samples/hello-as is what <c>functions init assemblyscript hello-as</c> writes (the template's source carries
/// <c>{{name}}</c>, so the sample cannot simply be the template's file): this keeps the two from drifting apart.
/// </summary>
public sealed class SampleTemplateTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("functions-template-").FullName;

    [Fact]
    public void The_hello_as_sample_is_the_assemblyscript_template_named_hello_as()
    {
        var project = InitCommand.Write("assemblyscript", "hello-as", _scratch);

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "hello-as", "assembly", "index.ts")),
            File.ReadAllText(Path.Combine(project, "assembly", "index.ts")));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
