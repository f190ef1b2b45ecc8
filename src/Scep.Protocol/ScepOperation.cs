namespace Scep.Protocol;

/// <summary>The values of the HTTP <c>operation</c> parameter (RFC 8894 §4). Servers compare them case-insensitively.</summary>
public static class ScepOperation
{
    /// <summary>Ask for the server's capabilities.</summary>
    public const string GetCACaps = "GetCACaps";

    /// <summary>Ask for the CA (and RA) certificates.</summary>
    public const string GetCACert = "GetCACert";

    /// <summary>Ask for the full CA chain (draft-18 only).</summary>
    public const string GetCACertChain = "GetCACertChain";

    /// <summary>Ask for the next CA certificate during a rollover.</summary>
    public const string GetNextCACert = "GetNextCACert";

    /// <summary>Send a pkiMessage.</summary>
    public const string PKIOperation = "PKIOperation";
}
