using Functions.Worker.Sync;

namespace Functions.Worker.Tests;

/// <summary>
/// After a deployment's message the whole fleet would pull at once: each worker waits a random time below the spread
/// the message asks for (sized by the control plane from the fleet), capped by its own <c>Worker:PullJitter</c>.
/// </summary>
public sealed class PullJitterTests
{
    private static readonly string Reason = SyncSignal.Announcement + "5";

    [Fact]
    public void A_pull_after_a_message_waits_a_random_time_below_the_spread_and_spreads_over_it()
    {
        var random = new Random(17);
        var spread = TimeSpan.FromSeconds(1);

        var delays = Enumerable.Range(0, 1000).Select(_ => SyncSignal.PullDelay(Reason, spread, TimeSpan.FromSeconds(5), random)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, spread));
        // A thousand workers land in every tenth of the second, not in one burst.
        Assert.Equal(10, delays.Select(d => (int)(d.TotalMilliseconds / 100)).Distinct().Count());
    }

    [Fact]
    public void The_workers_PullJitter_caps_a_wider_spread()
    {
        var random = new Random(3);
        var cap = TimeSpan.FromMilliseconds(200);

        var delays = Enumerable.Range(0, 1000).Select(_ => SyncSignal.PullDelay(Reason, TimeSpan.FromSeconds(1), cap, random)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, cap));
        Assert.Contains(delays, d => d > cap / 2);
    }

    [Fact]
    public void A_small_fleets_message_asks_for_no_spread_and_a_narrow_one_for_a_narrow_window()
    {
        var random = new Random(5);
        var jitter = TimeSpan.FromSeconds(1);

        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(Reason, TimeSpan.Zero, jitter, random));
        Assert.All(Enumerable.Range(0, 1000).Select(_ => SyncSignal.PullDelay(Reason, TimeSpan.FromMilliseconds(20), jitter, random)),
            d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void A_message_without_a_spread_pulls_at_once() =>
        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(Reason, null, TimeSpan.FromSeconds(1), new Random(1)));

    [Theory]
    [InlineData("start-up")]
    [InlineData(StateSynchronizer.PeriodicCheck)]
    [InlineData("bus ready")]
    public void Other_rings_pull_at_once(string reason) =>
        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(reason, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), new Random(1)));

    [Fact]
    public void No_jitter_pulls_at_once_after_a_message() =>
        Assert.Equal(TimeSpan.Zero, SyncSignal.PullDelay(Reason, TimeSpan.FromSeconds(1), TimeSpan.Zero, new Random(1)));

    [Fact]
    public void The_newest_announcement_sets_the_spread_an_older_one_arriving_late_does_not()
    {
        var signal = new SyncSignal();
        Assert.Null(signal.AnnouncedSpread);

        signal.Announce(5, spread: TimeSpan.FromMilliseconds(800));
        signal.Announce(4, spread: TimeSpan.Zero);
        Assert.Equal(5, signal.Announced);
        Assert.Equal(TimeSpan.FromMilliseconds(800), signal.AnnouncedSpread);

        signal.Announce(6);
        Assert.Null(signal.AnnouncedSpread);
        signal.Announce(7, spread: TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, signal.AnnouncedSpread);
    }
}
