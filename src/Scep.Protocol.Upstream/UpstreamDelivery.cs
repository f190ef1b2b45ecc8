namespace Scep.Protocol.Upstream;

/// <summary>What <see cref="UpstreamQueue.DeliverAsync"/> did with a certificate the upstream CA delivered.</summary>
public enum UpstreamDelivery
{
    /// <summary>Recorded: the device's next poll gets it.</summary>
    Recorded = 1,

    /// <summary>This same certificate was recorded before (a delivery sent again after a lost answer): nothing changed.</summary>
    AlreadyRecorded,

    /// <summary>No request with this id is queued for the upstream.</summary>
    NotQueued,

    /// <summary>The request was decided already, with another certificate or a refusal: nothing changed.</summary>
    AlreadyDecided,

    /// <summary>Not a certificate, not signed by the upstream CA, or not for the key the request holds: refused.</summary>
    Invalid,
}
