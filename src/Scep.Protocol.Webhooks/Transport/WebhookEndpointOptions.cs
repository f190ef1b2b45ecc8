using System;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Where a webhook goes and how it is protected: the URL, the shared secret, the client certificate (mTLS), the
/// private CA the receiver's certificate chains to, and the limits. <see cref="ToString"/> never shows the secret.
/// </summary>
public abstract class WebhookEndpointOptions
{
    /// <summary>The smallest accepted <see cref="Secret"/> length, in characters.</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>The receiver's URL: absolute https (http only with <see cref="AllowInsecureHttp"/> and a loopback host).</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// The shared HMAC secret, at least <see cref="MinimumSecretLength"/> characters (for example 32 random bytes in
    /// base64 or 64 hex digits: <c>openssl rand -hex 32</c>). Never logged.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>How long one delivery may take, connection and TLS handshake and answer included. Default: 5 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest answer body read; a larger one is refused without being read further. Default: 64 KiB.</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Allows an http URL, for a loopback host only (a receiver on the same machine, tests).</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>The client certificate (with its private key) presented to a receiver that asks for one (mTLS), or null.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// When not empty, the receiver's certificate must chain to one of these (a private CA) or be one of them (a pinned
    /// certificate), instead of to the system's roots; the host name is still checked. Empty by default.
    /// </summary>
    public X509Certificate2Collection TrustedServerCertificates { get; } = [];

    /// <summary>How far the timestamp of a signed answer may be from the server's clock. Default: 5 minutes.</summary>
    public TimeSpan SignatureTolerance { get; set; } = WebhookSignature.DefaultTolerance;

    /// <inheritdoc />
    public override string ToString() => GetType().Name + " " + Url + (Secret is null ? " (no secret)" : " (secret set)");
}
