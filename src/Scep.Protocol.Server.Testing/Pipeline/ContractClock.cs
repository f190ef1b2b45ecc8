using System;

namespace Scep.Protocol.Server.Testing.Pipeline;

/// <summary>The pipeline checks' clock: stands still at one instant, so that "stale" is decided by the records the checks write, not by the machine.</summary>
internal sealed class ContractClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
