namespace Scep.Protocol.Upstream;

/// <summary>What a device is told when the upstream CA cannot be reached (no answer, a transport error, an HTTP error).</summary>
public enum UpstreamUnavailable
{
    /// <summary>PENDING: the request stays queued and is sent again with back-off; the device's next poll gets the answer.</summary>
    Pending = 0,

    /// <summary>FAILURE (badRequest, "the upstream CA could not be reached"): the device must start again with a new request.</summary>
    Fail = 1,
}
