namespace Scep.Protocol;

/// <summary>The HTTP media types of SCEP replies (RFC 8894 §4, §6).</summary>
public static class ScepContentTypes
{
    /// <summary>GetCACert with one CA certificate: the DER certificate.</summary>
    public const string CaCertificate = "application/x-x509-ca-cert";

    /// <summary>GetCACert with CA and RA (or intermediate) certificates: a certificates-only SignedData.</summary>
    public const string CaRaCertificates = "application/x-x509-ca-ra-cert";

    /// <summary>GetCACertChain (draft-18 only): a certificates-only SignedData with the full chain.</summary>
    public const string CaRaCertificateChain = "application/x-x509-ca-ra-cert-chain";

    /// <summary>GetNextCACert: a SignedData signed by the current CA over the next CA certificates.</summary>
    public const string NextCaCertificate = "application/x-x509-next-ca-cert";

    /// <summary>PKIOperation replies (and requests sent by POST).</summary>
    public const string PkiMessage = "application/x-pki-message";

    /// <summary>GetCACaps replies.</summary>
    public const string Capabilities = "text/plain";
}
