using System;

namespace Scep.Protocol.Server;

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
