using System;
using System.Net;

namespace Scep.Protocol.Client;

/// <summary>
/// The HTTP exchange with the SCEP server did not produce a reply to process: the network failed, the request
/// timed out, the server answered with an HTTP status other than 200, or the body was too large. RFC 8894
/// §3.3.2 leaves the transaction state unchanged in these cases: retry later. A refusal the server signs
/// (a FAILURE CertRep) is not an exception but a result.
/// </summary>
public sealed class ScepTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A readable explanation.</param>
    /// <param name="operation">The SCEP operation (<see cref="ScepOperation"/>) that was attempted.</param>
    /// <param name="statusCode">The HTTP status the server answered with, or null when no answer arrived.</param>
    /// <param name="contentType">The Content-Type of the answer, if any.</param>
    /// <param name="innerException">The underlying network exception, if any.</param>
    public ScepTransportException(string message, string operation, HttpStatusCode? statusCode, string? contentType, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Operation = operation;
        StatusCode = statusCode;
        ContentType = contentType;
    }

    /// <summary>The SCEP operation that was attempted (GetCACaps, GetCACert, GetNextCACert or PKIOperation).</summary>
    public string Operation { get; }

    /// <summary>The HTTP status code of the answer, or null when none arrived (network failure, time-out).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The Content-Type of the answer, or null.</summary>
    public string? ContentType { get; }
}
