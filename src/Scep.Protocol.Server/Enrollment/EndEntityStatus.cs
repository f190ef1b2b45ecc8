namespace Scep.Protocol.Server;

/// <summary>The status of an end entity, with EJBCA's numbers.</summary>
public enum EndEntityStatus
{
    /// <summary>Registered and waiting to enroll; its enrollment code may be used once (10).</summary>
    New = 10,

    /// <summary>An enrollment failed (11).</summary>
    Failed = 11,

    /// <summary>An enrollment is being processed or awaits approval (30).</summary>
    InProcess = 30,

    /// <summary>A certificate was issued; the enrollment code is used up (40).</summary>
    Generated = 40,

    /// <summary>Revoked (50).</summary>
    Revoked = 50,

    /// <summary>Kept for history only (60).</summary>
    Historical = 60,
}
