using System;
using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>The SCEP server's configuration: its aliases (configuration section <c>Scep</c>, <c>Scep:Aliases:{name}</c>).</summary>
public sealed class ScepServerOptions
{
    /// <summary>The alias served when the URL names none (<c>/scep/pkiclient.exe</c>). Default: <c>scep</c>, as in EJBCA.</summary>
    public string DefaultAlias { get; set; } = "scep";

    /// <summary>The aliases by name (case-insensitive).</summary>
    public IDictionary<string, ScepAliasOptions> Aliases { get; } = new Dictionary<string, ScepAliasOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How long a reservation (an enrollment that started but did not finish, for example because the process
    /// died) keeps an end entity or a transaction from being retried. Default: 5 minutes.
    /// </summary>
    public TimeSpan StaleReservationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// CA mode: wrong enrollment codes after which an end entity is locked (status FAILED) until an administrator resets
    /// it, as EJBCA's "maximum number of failed login attempts". 0 turns the lockout off. Default: 10.
    /// </summary>
    public int MaxFailedCodeAttempts { get; set; } = 10;

    /// <summary>
    /// How long a reply waits for the <see cref="IEnrollmentObserver"/>s of its event; an observer still busy then is
    /// logged and left behind. Default: 5 seconds.
    /// </summary>
    public TimeSpan ObserverTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
