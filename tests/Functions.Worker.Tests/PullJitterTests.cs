using Functions.Worker.Sync;

namespace Functions.Worker.Tests;

/// <summary>After a deployment's message the whole fleet would pull at once: each worker waits a random time first.</summary>
public sealed class PullJitterTests
{
    [Fact]
    public void A_pull_after_a_message_waits_a_random_time_below_the_jitter_and_spreads_over_it()
    {
        var random = new Random(17);
        var jitter = TimeSpan.FromSeconds(1);
        var signal = new SyncSignal();
        signal.Announce(5);
        signal.Announce(4);
        var reason = SyncSignal.Announcement + "5";

        var delays = Enumerable.Range(0, 1000).Select(_ => SyncSignal.PullDelay(reason, jitter, random)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, jitter));
        // A thousand workers land in every tenth of the second, not in one burst.
        Assert.Equal(10, delays.Select(d => (int)(d.TotalMilliseconds / 100)).Distinct().Count());
        Assert.Equal(5, signal.Announced);
    }

    [Theory]
    [InlineData("start-up")]
    [InlineData(StateSynchronizer.PeriodicCheck)]
    [InlineData("bus ready")]
    public void Other_rings_pull_at_once(string reason) =>
        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(reason, TimeSpan.FromSeconds(1), new Random(1)));

    [Fact]
    public void No_jitter_pulls_at_once_after_a_message() =>
        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(SyncSignal.Announcement + "3", TimeSpan.Zero, new Random(1)));
}
