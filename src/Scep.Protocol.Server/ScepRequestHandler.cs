using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server.Internal;

namespace Scep.Protocol.Server;

/// <summary>
/// The HTTP-agnostic SCEP server: a request (method, alias, raw query, body) goes in, a response (status,
/// content type, body) comes out. Operations: GetCACaps, GetCACert, GetCACertChain, GetNextCACert, and
/// PKIOperation over GET and POST. Bad input gets a plain-text 4xx or a signed FAILURE CertRep, never a 500.
/// </summary>
public sealed partial class ScepRequestHandler
{
    /// <summary>The <c>scep.alias</c> tag of requests for an alias that is not configured.</summary>
    private const string UnknownAlias = "(unknown)";

    private readonly ScepServerOptions _options;
    private readonly Dictionary<string, AliasRuntime> _aliases;
    private readonly IScepCredentialProvider _credentials;
    private readonly PkiOperationProcessor _processor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScepMetrics _metrics;

    internal ScepRequestHandler(
        IOptions<ScepServerOptions> options,
        IScepCredentialProvider credentials,
        PkiOperationProcessor processor,
        TimeProvider time,
        ILogger<ScepRequestHandler> logger,
        ScepMetrics metrics)
    {
        _options = options.Value;
        _aliases = _options.Aliases.ToDictionary(a => a.Key, a => new AliasRuntime(a.Key, a.Value), StringComparer.OrdinalIgnoreCase);
        _credentials = credentials;
        _processor = processor;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The configured alias names.</summary>
    public IReadOnlyCollection<string> Aliases => _aliases.Keys;

    /// <summary>Handles one request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the work (the client went away).</param>
    /// <returns>The response to write.</returns>
    public async ValueTask<ScepHttpResponse> HandleAsync(ScepHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var aliasName = string.IsNullOrEmpty(request.Alias) ? _options.DefaultAlias : request.Alias;
        var query = QueryParameters.Parse(request.QueryString);
        var operation = query.Operation ?? (IsPost(request) ? ScepOperation.PKIOperation : string.Empty);
        // Untrusted: only printable and bounded in logs; metrics tag a known alias name or one fixed value, so
        // requests for random aliases cannot grow the number of time series.
        var loggedAlias = Printable(aliasName);
        var metricAlias = UnknownAlias;
        string outcome = "error";
        var statusCode = 0;
        try
        {
            if (!_aliases.TryGetValue(aliasName, out var alias))
            {
                LogBadRequest(_logger, loggedAlias, Printable(operation), "unknown alias");
                return Outcome(ScepHttpResponse.Error(404, $"Unknown SCEP alias '{loggedAlias}'."), out outcome, out statusCode);
            }

            metricAlias = alias.Name;
            var response = await DispatchAsync(alias, request, query, operation, cancellationToken).ConfigureAwait(false);
            outcome = response.Outcome;
            statusCode = response.Response.StatusCode;
            return response.Response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A fault of the host (store down, HSM unavailable): the client should retry later (RFC 8894 §3.3.2.2
            // leaves a transport failure as "try again"). Never echo the exception.
            LogInternalError(_logger, e, loggedAlias, Printable(operation));
            return Outcome(ScepHttpResponse.Error(500, "The SCEP server could not process the request; try again later."), out outcome, out statusCode);
        }
        finally
        {
            var normalized = NormalizeOperation(operation);
            LogRequestCompleted(_logger, loggedAlias, normalized, outcome, statusCode);
            _metrics.Request(metricAlias, normalized, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async ValueTask<(ScepHttpResponse Response, string Outcome)> DispatchAsync(
        AliasRuntime alias, ScepHttpRequest request, QueryParameters query, string operation, CancellationToken cancellationToken)
    {
        var isPost = IsPost(request);
        if (!isPost && !string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase) && !string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase))
        {
            return (ScepHttpResponse.Error(405, "SCEP uses GET and POST."), "bad-method");
        }

        if (operation.Length == 0)
        {
            return (ScepHttpResponse.Error(400, "The 'operation' parameter is missing."), "bad-request");
        }

        if (isPost && !operation.Equals(ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase))
        {
            return (ScepHttpResponse.Error(405, $"Only PKIOperation may be sent by POST; {Printable(operation)} uses GET."), "bad-method");
        }

        if (operation.Equals(ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase))
        {
            return await PkiOperationAsync(alias, request, query, isPost, cancellationToken).ConfigureAwait(false);
        }

        var isGetCaOperation = operation.Equals(ScepOperation.GetCACaps, StringComparison.OrdinalIgnoreCase)
            || operation.Equals(ScepOperation.GetCACert, StringComparison.OrdinalIgnoreCase)
            || operation.Equals(ScepOperation.GetCACertChain, StringComparison.OrdinalIgnoreCase)
            || operation.Equals(ScepOperation.GetNextCACert, StringComparison.OrdinalIgnoreCase);
        if (!isGetCaOperation)
        {
            LogBadRequest(_logger, alias.Name, Printable(operation), "unknown operation");
            return (ScepHttpResponse.Error(400, $"Unknown operation '{Printable(operation)}'."), "bad-request");
        }

        var caName = ResolveCaName(alias, query.RawMessage);
        if (caName is null)
        {
            return (ScepHttpResponse.Error(404, "No CA matches the identifier in 'message'."), "unknown-ca");
        }

        var credentials = await GetCredentialsAsync(caName, cancellationToken).ConfigureAwait(false);
        if (operation.Equals(ScepOperation.GetCACaps, StringComparison.OrdinalIgnoreCase))
        {
            var caps = alias.Capabilities(credentials).Format();
            return (ScepHttpResponse.Ok(ScepContentTypes.Capabilities, Encoding.ASCII.GetBytes(caps)), "ok");
        }

        if (operation.Equals(ScepOperation.GetCACert, StringComparison.OrdinalIgnoreCase))
        {
            var reply = CaCertificates.Create(GetCaCertSet(alias, credentials));
            return (ScepHttpResponse.Ok(reply.ContentType, reply.RawData), "ok");
        }

        if (operation.Equals(ScepOperation.GetCACertChain, StringComparison.OrdinalIgnoreCase))
        {
            var chain = DegenerateCertificateSet.Create([credentials.CaCertificate, .. credentials.Chain]);
            return (ScepHttpResponse.Ok(ScepContentTypes.CaRaCertificateChain, chain.RawData), "ok");
        }

        if (credentials.Next is not { } next)
        {
            return (ScepHttpResponse.Error(404, "No next CA certificate is configured (no CA rollover in progress)."), "no-next-ca");
        }

        var nextReply = NextCaCertificates.Create(
            GetCaCertSet(alias, next),
            credentials.SigningCertificate,
            credentials.SigningKey,
            alias.ReplyDigest(null),
            _time.GetUtcNow());
        return (ScepHttpResponse.Ok(ScepContentTypes.NextCaCertificate, nextReply.RawData), "ok");
    }

    private async ValueTask<(ScepHttpResponse Response, string Outcome)> PkiOperationAsync(
        AliasRuntime alias, ScepHttpRequest request, QueryParameters query, bool isPost, CancellationToken cancellationToken)
    {
        var options = alias.Options;
        byte[] message;
        if (isPost)
        {
            if (!options.AllowPost)
            {
                return (ScepHttpResponse.Error(405, "This alias does not accept PKIOperation by POST."), "bad-method");
            }

            if (request.Body.Length > options.MaxMessageSize)
            {
                return (ScepHttpResponse.Error(413, $"The message is larger than {options.MaxMessageSize} bytes."), "too-large");
            }

            message = request.Body.ToArray();
        }
        else
        {
            if (!options.AllowGet)
            {
                return (ScepHttpResponse.Error(405, "This alias accepts PKIOperation only by POST."), "bad-method");
            }

            if (string.IsNullOrEmpty(query.RawMessage))
            {
                return (ScepHttpResponse.Error(400, "PKIOperation by GET needs the 'message' parameter."), "bad-request");
            }

            try
            {
                message = ScepBase64.DecodeQueryValue(query.RawMessage, options.MaxMessageSize);
            }
            catch (ScepException e)
            {
                var status = e.Reason == ScepError.LimitExceeded ? 414 : 400;
                return (ScepHttpResponse.Error(status, "The 'message' parameter is not usable: " + e.Message), status == 414 ? "too-large" : "bad-request");
            }
        }

        PkiMessage pkiMessage;
        try
        {
            pkiMessage = PkiMessage.Decode(message);
        }
        catch (ScepException e)
        {
            LogBadRequest(_logger, alias.Name, ScepOperation.PKIOperation, e.Reason.ToString());
            return (ScepHttpResponse.Error(400, "The request is not a SCEP pkiMessage: " + e.Message), "bad-request");
        }

        var credentials = await GetCredentialsAsync(options.CaName, cancellationToken).ConfigureAwait(false);
        var reply = await _processor.ProcessAsync(alias, credentials, pkiMessage, cancellationToken).ConfigureAwait(false);
        var replyStatus = reply.Status ?? PkiStatus.Failure;
        if (reply.FailInfo is { } failInfo)
        {
            LogPkiOperationFailed(_logger, alias.Name, pkiMessage.MessageType, Printable(pkiMessage.TransactionId), replyStatus, failInfo);
        }
        else
        {
            LogPkiOperation(_logger, alias.Name, pkiMessage.MessageType, Printable(pkiMessage.TransactionId), replyStatus);
        }

        if (reply.Status == PkiStatus.Failure)
        {
            _metrics.Failure(alias.Name, reply.FailInfo ?? FailInfo.BadRequest);
        }

        var outcome = reply.Status switch
        {
            PkiStatus.Success => "success",
            PkiStatus.Pending => "pending",
            _ => "failure",
        };
        return (ScepHttpResponse.Ok(ScepContentTypes.PkiMessage, reply.RawData), outcome);
    }

    private async ValueTask<ScepCaCredentials> GetCredentialsAsync(string caName, CancellationToken cancellationToken) =>
        await _credentials.GetCredentialsAsync(caName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No SCEP credentials are configured for CA '{caName}'.");

    /// <summary>GetCACert's set: RA certificates first (some clients take the first), the CA, then its chain per the alias.</summary>
    private static List<X509Certificate2> GetCaCertSet(AliasRuntime alias, ScepCaCredentials credentials)
    {
        var set = new List<X509Certificate2>();
        void Add(X509Certificate2 certificate)
        {
            if (!set.Any(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
            {
                set.Add(certificate);
            }
        }

        var ca = credentials.CaCertificate.RawDataMemory.Span;
        if (!credentials.DecryptionCertificate.RawDataMemory.Span.SequenceEqual(ca))
        {
            Add(credentials.DecryptionCertificate);
        }

        if (!credentials.SigningCertificate.RawDataMemory.Span.SequenceEqual(ca))
        {
            Add(credentials.SigningCertificate);
        }

        Add(credentials.CaCertificate);
        foreach (var certificate in alias.ChainToInclude(credentials.Chain))
        {
            Add(certificate);
        }

        return set;
    }

    /// <summary>
    /// Reference §2.2: the GetCACert <c>message</c> is a hint. Empty, <c>CAIdentifier</c>, the alias's CA name or one
    /// of its identifiers mean this alias's CA; another alias's CA name means that CA; anything else falls back
    /// to this alias's CA unless the alias is strict.
    /// </summary>
    private string? ResolveCaName(AliasRuntime alias, string? rawMessage)
    {
        var identifier = rawMessage is null ? string.Empty : QueryParameters.FormDecode(rawMessage);
        if (identifier.Length == 0
            || identifier.Equals("CAIdentifier", StringComparison.OrdinalIgnoreCase)
            || identifier.Equals(alias.Options.CaName, StringComparison.OrdinalIgnoreCase)
            || alias.Options.CaIdentifiers.Any(i => i.Equals(identifier, StringComparison.OrdinalIgnoreCase)))
        {
            return alias.Options.CaName;
        }

        var other = _aliases.Values.FirstOrDefault(a =>
            a.Options.CaName.Equals(identifier, StringComparison.OrdinalIgnoreCase)
            || a.Options.CaIdentifiers.Any(i => i.Equals(identifier, StringComparison.OrdinalIgnoreCase)));
        if (other is not null)
        {
            return other.Options.CaName;
        }

        return alias.Options.StrictCaIdentifier ? null : alias.Options.CaName;
    }

    private static bool IsPost(ScepHttpRequest request) => string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase);

    private static ScepHttpResponse Outcome(ScepHttpResponse response, out string outcome, out int statusCode)
    {
        outcome = response.StatusCode == 404 ? "not-found" : "error";
        statusCode = response.StatusCode;
        return response;
    }

    private static string NormalizeOperation(string operation) => operation switch
    {
        _ when operation.Equals(ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase) => ScepOperation.PKIOperation,
        _ when operation.Equals(ScepOperation.GetCACaps, StringComparison.OrdinalIgnoreCase) => ScepOperation.GetCACaps,
        _ when operation.Equals(ScepOperation.GetCACert, StringComparison.OrdinalIgnoreCase) => ScepOperation.GetCACert,
        _ when operation.Equals(ScepOperation.GetCACertChain, StringComparison.OrdinalIgnoreCase) => ScepOperation.GetCACertChain,
        _ when operation.Equals(ScepOperation.GetNextCACert, StringComparison.OrdinalIgnoreCase) => ScepOperation.GetNextCACert,
        _ => "other",
    };

    /// <summary>Untrusted text for logs and error bodies: printable ASCII only, bounded.</summary>
    private static string Printable(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 64));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, 64)))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SCEP {Alias} PKIOperation {MessageType} transactionID={TransactionId}: {Status}")]
    private static partial void LogPkiOperation(ILogger logger, string alias, MessageType messageType, string transactionId, PkiStatus status);

#pragma warning disable SYSLIB1006 // the same event as LogPkiOperation, for a FAILURE with its failInfo
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SCEP {Alias} PKIOperation {MessageType} transactionID={TransactionId}: {Status} {FailInfo}")]
    private static partial void LogPkiOperationFailed(ILogger logger, string alias, MessageType messageType, string transactionId, PkiStatus status, FailInfo failInfo);
#pragma warning restore SYSLIB1006

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "SCEP {Alias} {Operation}: request refused ({Reason})")]
    private static partial void LogBadRequest(ILogger logger, string alias, string operation, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "SCEP {Alias} {Operation}: internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string alias, string operation);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "SCEP {Alias} {Operation}: HTTP {StatusCode} ({Outcome})")]
    private static partial void LogRequestCompleted(ILogger logger, string alias, string operation, string outcome, int statusCode);
}
