namespace Scep.Protocol.Server;

/// <summary>How an alias authorizes enrollment (EJBCA's SCEP operational modes).</summary>
public enum ScepOperationMode
{
    /// <summary>
    /// CA mode: the request's subject CN is the username of a pre-registered end entity with status
    /// <see cref="EndEntityStatus.New"/>, and its challengePassword is that entity's one-time enrollment code.
    /// </summary>
    Ca = 1,

    /// <summary>
    /// RA mode: the end entity is created or updated from the request with the alias's defaults, and the
    /// challengePassword is checked by an <see cref="IChallengeValidator"/> (a static secret, or a host callback
    /// such as an MDM's dynamic challenge).
    /// </summary>
    Ra,
}
