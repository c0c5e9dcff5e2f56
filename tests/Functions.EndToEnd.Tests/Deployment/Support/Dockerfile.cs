using System.Text.Json;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>One instruction, with continuation lines joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line)
{
    /// <summary>The arguments as words: the JSON (exec) form parsed, the shell form split on white space.</summary>
    public IReadOnlyList<string> Words =>
        Arguments.StartsWith('[')
            ? JsonSerializer.Deserialize<string[]>(Arguments) ?? []
            : Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Flags such as <c>--from=build</c>, by name.</summary>
    public IReadOnlyDictionary<string, string> Flags =>
        Words.TakeWhile(word => word.StartsWith("--", StringComparison.Ordinal))
            .Select(word => word[2..].Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "", StringComparer.Ordinal);

    /// <summary>The words after the flags.</summary>
    public IReadOnlyList<string> Operands =>
        Arguments.StartsWith('[') ? Words : [.. Words.SkipWhile(word => word.StartsWith("--", StringComparison.Ordinal))];

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}

/// <summary>A build stage: its FROM image, its name, and its instructions after FROM.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) =>
        Instructions.Where(instruction => instruction.Keyword == keyword);
}

/// <summary>A Dockerfile split into stages (comments dropped, <c>\</c> continuations joined).</summary>
internal sealed record Dockerfile(string Path, IReadOnlyList<DockerStage> Stages)
{
    public DockerStage Final => Stages[^1];

    /// <summary>The ports the final stage's EXPOSE instructions name, in order: a server's first is the one it serves on.</summary>
    public IReadOnlyList<string> ExposedPorts =>
        [.. Final.All("EXPOSE").SelectMany(expose => expose.Words).Select(word => word.Split('/')[0])];

    public static Dockerfile Load(string relativePath)
    {
        var instructions = new List<DockerInstruction>();
        var lines = RepoFile.Read(relativePath).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                var next = lines[++i].Trim();
                line = next.StartsWith('#') ? line : line[..^1].TrimEnd() + " " + next;
            }

            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            instructions.Add(new DockerInstruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "", start));
        }

        var stages = new List<DockerStage>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var operands = instruction.Operands;
                var name = operands.Count >= 3 && operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? operands[2] : null;
                stages.Add(new DockerStage(operands[0], name, []));
            }
            else if (stages.Count == 0)
            {
                if (instruction.Keyword != "ARG")
                {
                    throw new InvalidOperationException($"{relativePath} {instruction}: only ARG may come before the first FROM.");
                }
            }
            else
            {
                stages[^1] = stages[^1] with { Instructions = [.. stages[^1].Instructions, instruction] };
            }
        }

        return new Dockerfile(relativePath, stages);
    }
}
