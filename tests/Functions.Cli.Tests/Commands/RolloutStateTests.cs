using Functions.Cli.Commands;
using Functions.Contracts.Api;

namespace Functions.Cli.Tests.Commands;

/// <summary>What <c>status --wait</c> waits for: every live worker applied, or one failed; offline ones do not count.</summary>
public class RolloutStateTests
{
    [Theory]
    [InlineData("", RolloutState.NoLiveWorkers)]
    [InlineData("applied:offline", RolloutState.NoLiveWorkers)]
    [InlineData("applied", RolloutState.Complete)]
    [InlineData("applied applied pending:offline failed:offline", RolloutState.Complete)]
    [InlineData("applied pending", RolloutState.Pending)]
    [InlineData("pending failed", RolloutState.Pending)]
    [InlineData("applied failed", RolloutState.Failed)]
    [InlineData("failed", RolloutState.Failed)]
    public void A_rollout_adds_up_to_a_state_counting_only_live_workers(string workers, string expected)
    {
        var list = workers.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((w, i) =>
        {
            var parts = w.Split(':');
            return new WorkerRollout($"w{i}", "http://w", parts[0], parts.Length == 1, 1, DateTimeOffset.UnixEpoch, null);
        }).ToList();

        Assert.Equal(expected, RolloutState.Of(new RolloutView("app", 1, 2, 0, 0, 0, list)));
    }

    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("2m", 120_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("90", 90_000)]
    [InlineData("0", 0)]
    public void Durations_read_with_a_unit_or_as_seconds(string text, int milliseconds)
    {
        Assert.True(StatusCommand.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5 minutes")]
    public void Anything_else_is_not_a_duration(string text) =>
        Assert.False(StatusCommand.TryParseDuration(text, out _));
}
