using System;
using System.Linq;
using System.Threading.Tasks;
using Scep.Protocol.Intune.Tests.Emulator;
using Scep.Protocol.Server;
using Scep.Protocol.Server.Tests.Infrastructure;

namespace Scep.Protocol.Intune.Tests;

/// <summary>Shared setup: an emulator per test, and a pipeline whose RA-mode alias <c>intune</c> Intune decides.</summary>
public abstract class IntuneTests
{
    /// <summary>A generous upper bound for what does arrive (nothing waits for it in a passing test).</summary>
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    protected IntuneEmulator Emulator { get; private set; } = null!;

    [SetUp]
    public async Task StartEmulator() => Emulator = await IntuneEmulator.StartAsync();

    [TearDown]
    public async Task StopEmulator() => await Emulator.DisposeAsync();

    protected ServerHarness Pipeline(Action<IntuneOptions>? configure = null) =>
        ServerHarness.Create(
            o =>
            {
                o.Aliases["intune"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra };
                o.Aliases["other"] = new ScepAliasOptions { Mode = ScepOperationMode.Ra, RaChallenge = "static-secret" };
                o.ObserverTimeout = Generous;
            },
            b => b.AddIntuneValidation(o =>
            {
                Emulator.Configure(o);
                configure?.Invoke(o);
            }));

    /// <summary>A device with an Intune-made challenge (opaque to us: Intune's service decides).</summary>
    protected static EnrollingClient Device(ServerHarness server, int keySlot = 21) => server.NewClient("CN=intune-device-1", "intune-challenge-blob", keySlot);

    protected RecordedCall[] CallsOf(string action)
    {
        lock (Emulator.Calls)
        {
            return [.. Emulator.Calls.Where(c => c.Action == action)];
        }
    }
}
