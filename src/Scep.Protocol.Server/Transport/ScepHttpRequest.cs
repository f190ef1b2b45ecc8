using System;
using System.IO;

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

    /// <summary>
    /// The POST body (the DER pkiMessage) when the host has it in memory; empty for GET. The pipeline reads it during
    /// <c>HandleAsync</c> and keeps no reference afterwards, so the host may pass a pooled buffer.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// The POST body as a stream (a web framework's request body), instead of <see cref="Body"/>: the pipeline reads
    /// at most the alias's <see cref="ScepAliasOptions.MaxMessageSize"/> from it (HTTP 413 beyond), into a pooled
    /// buffer that the codec copies once. Not disposed by the pipeline.
    /// </summary>
    public Stream? BodyStream { get; init; }

    /// <summary>The declared length of <see cref="BodyStream"/> (Content-Length), when known: a larger one is refused before anything is read. Null or negative: unknown.</summary>
    public long? BodyLength { get; init; }
}
