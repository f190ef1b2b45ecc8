namespace Scep.Protocol.Upstream;

/// <summary>How requests reach the upstream CA.</summary>
public enum UpstreamMode
{
    /// <summary>This server sends them to the upstream's SCEP endpoint (<see cref="UpstreamCaOptions.Url"/>) and polls it.</summary>
    Forward = 0,

    /// <summary>
    /// The upstream CA fetches them (EJBCA's External RA model): this server only queues authorized requests and
    /// answers PENDING; the CA, which accepts no connections, lists the queue, issues, and delivers the certificates
    /// through <see cref="UpstreamQueue"/> (the sample host's admin API), and the device's next poll gets them.
    /// </summary>
    Pull = 1,
}
