using System;

namespace Scep.Protocol.Client;

/// <summary>
/// What a client knows about one SCEP server before it sends a PKIOperation: the GetCACaps capabilities
/// (which choose GET or POST and the algorithms) and the GetCACert certificates (which encrypt requests and
/// verify replies). Immutable.
/// </summary>
/// <remarks>
/// GetCACert travels in clear. Before trusting the certificates, compare the CA certificate's fingerprint with
/// one obtained out of band (RFC 8894 §2.2); every reply is then verified against these certificates only.
/// </remarks>
public sealed class ScepServerInfo
{
    private ScepServerInfo(CaCapabilities capabilities, CaCertificates caCertificates)
    {
        Capabilities = capabilities;
        CaCertificates = caCertificates;
    }

    /// <summary>The capabilities (<see cref="CaCapabilities.Empty"/> when the server has none).</summary>
    public CaCapabilities Capabilities { get; }

    /// <summary>The CA (and RA) certificates; replies must be signed by one of them.</summary>
    public CaCertificates CaCertificates { get; }

    /// <summary>Combines capabilities and CA certificates, for example ones loaded from a pinned file.</summary>
    /// <param name="capabilities">The capabilities.</param>
    /// <param name="caCertificates">The CA certificates.</param>
    /// <returns>The server description.</returns>
    public static ScepServerInfo Create(CaCapabilities capabilities, CaCertificates caCertificates)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        ArgumentNullException.ThrowIfNull(caCertificates);
        return new ScepServerInfo(capabilities, caCertificates);
    }
}
