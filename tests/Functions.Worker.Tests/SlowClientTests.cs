using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using System.Text;
using Functions.Worker.Hosting;

namespace Functions.Worker.Tests;

/// <summary>A worker with a short minimum request body data rate window: 1,000 bytes/s after a 2 s grace period.</summary>
public sealed class TricklingWorkerFixture : WorkerFixture
{
    protected override string Name => "worker-trickle";

    protected override IReadOnlyDictionary<string, string> WorkerSettings => new Dictionary<string, string>
    {
        ["Worker__MinRequestBodyBytesPerSecond"] = "1000",
        ["Worker__MinDataRateGracePeriod"] = "00:00:02",
    };
}

/// <summary>
/// A client that trickles its body (slowloris on the body) holds an admitted slot and body memory: Kestrel's minimum
/// request body data rate (<c>Worker:MinRequestBodyBytesPerSecond</c>, <c>Worker:MinDataRateGracePeriod</c>) cuts it
/// off. <see cref="HostileClientTests"/> turns the rate off (0) and holds such connections for as long as it likes.
/// </summary>
public sealed class SlowClientTests(TricklingWorkerFixture fixture) : IClassFixture<TricklingWorkerFixture>
{
    [Fact]
    public async Task A_client_that_trickles_its_body_below_the_minimum_rate_is_cut_off_and_gives_back_its_slot()
    {
        await fixture.DeployAsync("trickle", new
        {
            route = "/trickle",
            module = await fixture.DigestOf("echo"),
            limits = new { memoryMb = 1, maxBodyBytes = 1_000_000, maxConcurrency = 1 },
        });
        var address = fixture.Worker.BaseAddress!;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /trickle HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));

        // One byte every 200 ms (5 bytes/s, far below 1,000) until the worker answers or closes: at most 60 s, a bound
        // that only keeps a regression (no cut-off: the worker waits for the body forever) from hanging the run.
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var closed = false;
        var started = DateTime.UtcNow;
        while (!closed && DateTime.UtcNow - started < TimeSpan.FromSeconds(60))
        {
            try
            {
                await socket.SendAsync(new byte[] { (byte)'x' });
            }
            catch (SocketException)
            {
                closed = true; // reset by the worker
                break;
            }

            using var pause = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, pause.Token);
                if (read == 0)
                {
                    closed = true;
                }
                else
                {
                    answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
            }
            catch (OperationCanceledException)
            {
                // nothing from the worker yet: send the next byte
            }
            catch (SocketException)
            {
                closed = true;
            }
        }

        Assert.True(closed || answer.Length > 0, "the worker kept waiting for a body trickling at 5 bytes/s for 60 s");
        Assert.DoesNotContain("HTTP/1.1 200", answer.ToString(), StringComparison.Ordinal);

        // The route's one slot is free again: a client that sends its body is served.
        using var response = await fixture.Worker.PostAsync(new Uri("/trickle", UriKind.Relative), new ByteArrayContent(Encoding.ASCII.GetBytes("hello")));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", await response.Content.ReadAsStringAsync());
    }
}

public class MinDataRateOptionsTests
{
    [Theory]
    [InlineData("00:00:01", false)] // Kestrel throws at start-up for 1 s: the worker used to crash with its exception
    [InlineData("00:00:00.500", false)]
    [InlineData("00:00:02", true)]
    [InlineData("00:10:00", true)]
    [InlineData("00:10:01", false)]
    public void The_grace_period_is_checked_against_kestrels_own_minimum_with_a_message_naming_the_setting(string period, bool valid)
    {
        var options = new WorkerOptions { MinDataRateGracePeriod = TimeSpan.Parse(period, System.Globalization.CultureInfo.InvariantCulture) };
        var results = new List<ValidationResult>();

        var ok = Validator.TryValidateProperty(options.MinDataRateGracePeriod,
            new ValidationContext(options) { MemberName = nameof(WorkerOptions.MinDataRateGracePeriod) }, results);

        Assert.Equal(valid, ok);
        if (!valid)
        {
            Assert.Contains(results, r => r.ErrorMessage!.Contains("Worker:MinDataRateGracePeriod must be more than 1 second", StringComparison.Ordinal));
        }
    }
}
