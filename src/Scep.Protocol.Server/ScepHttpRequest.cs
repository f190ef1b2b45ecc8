using System;

namespace Scep.Protocol.Server;

/// <summary>An HTTP request as the pipeline needs it, independent of any web framework.</summary>
public sealed class ScepHttpRequest
{
    /// <summary>The HTTP method (GET or POST; others get 405).</summary>
    public required string Method { get; init; }

    /// <summary>The alias from the URL path; null or empty for the default alias.</summary>
    public string? Alias { get; init; }

    /// <summary>
    /// The raw query string as it arrived on the wire, with or without the leading '?', NOT form-decoded: the
    /// pipeline decodes <c>message</c> itself so that '+' sent unescaped (iOS, macOS) survives.
    /// </summary>
    public string? QueryString { get; init; }

    /// <summary>The POST body (the DER pkiMessage); empty for GET.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }
}

/// <summary>The pipeline's answer, for the web framework to write.</summary>
public sealed class ScepHttpResponse
{
    private ScepHttpResponse(int statusCode, string contentType, ReadOnlyMemory<byte> body)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The Content-Type to send (always set).</summary>
    public string ContentType { get; }

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>A 200 with the given content.</summary>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="body">The body.</param>
    /// <returns>The response.</returns>
    public static ScepHttpResponse Ok(string contentType, ReadOnlyMemory<byte> body) => new(200, contentType, body);

    /// <summary>An error with a plain-text reason (never a stack trace).</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="reason">The reason.</param>
    /// <returns>The response.</returns>
    public static ScepHttpResponse Error(int statusCode, string reason) =>
        new(statusCode, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(reason + "\n"));
}
