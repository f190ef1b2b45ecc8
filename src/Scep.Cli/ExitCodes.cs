namespace Scep.Cli;

/// <summary>The exit codes of <c>scep</c>, for scripts (also listed in <c>scep --help</c> and docs/client.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done: certificate issued, operation answered, or <c>check</c> found no failure.</summary>
    public const int Success = 0;

    /// <summary>The server refused with a signed FAILURE (or <c>check</c> found at least one failure, or <c>bench</c> counted a failed enrollment or a repeated serial number).</summary>
    public const int Refused = 1;

    /// <summary>Bad command line, or an input file that cannot be read.</summary>
    public const int Usage = 2;

    /// <summary>The request is pending: run <c>scep poll</c> later.</summary>
    public const int Pending = 3;

    /// <summary>No usable answer: network failure, time-out, or an HTTP status other than 200 (operations a server lacks end here).</summary>
    public const int Transport = 4;

    /// <summary>An answer that must not be trusted: bad signature, unknown signer, wrong nonce or transactionID, refused algorithm, CA fingerprint mismatch.</summary>
    public const int Untrusted = 5;

    /// <summary>Cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public const string Summary =
        "Exit codes: 0 done, 1 refused by the server (check: a failure; bench: a failure or a repeated serial number), 2 usage or input error, 3 pending, 4 transport or HTTP error, 5 untrusted or invalid reply, 130 cancelled.";
}
