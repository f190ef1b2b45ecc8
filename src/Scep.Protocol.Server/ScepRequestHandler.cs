using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scep.Protocol.Server;

/// <summary>
/// The HTTP-agnostic SCEP server: a request (method, alias, raw query, body) goes in, a response (status, content type,
/// body) comes out. Operations: GetCACaps, GetCACert, GetCACertChain, GetNextCACert, and PKIOperation over GET and POST
/// (RFC 8894 §4). Bad input gets a plain-text 4xx or a signed FAILURE CertRep, never a 500 for the client's fault.
/// </summary>
public sealed class ScepRequestHandler
{
    /// <summary>The <c>scep.alias</c> tag of requests for an alias that is not configured.</summary>
    private const string UnknownAlias = "(unknown)";

    private readonly ScepServerOptions _options;
    private readonly Dictionary<string, AliasRuntime> _aliases;
    private readonly IScepCredentialProvider _credentials;
    private readonly OperationTable _table;
    private readonly PkiOperation _pkiOperation;
    private readonly CaIdentifiers _caIdentifiers;
    private readonly ILogger _logger;
    private readonly ScepMetrics _metrics;

    internal ScepRequestHandler(
        IOptions<ScepServerOptions> options,
        IScepCredentialProvider credentials,
        OperationTable table,
        PkiOperation pkiOperation,
        ILogger<ScepRequestHandler> logger,
        ScepMetrics metrics)
    {
        _options = options.Value;
        _aliases = _options.Aliases.ToDictionary(a => a.Key, a => new AliasRuntime(a.Key, a.Value), StringComparer.OrdinalIgnoreCase);
        _credentials = credentials;
        _table = table;
        _pkiOperation = pkiOperation;
        _caIdentifiers = new CaIdentifiers(_aliases.Values);
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
        var loggedAlias = ScepLog.Printable(aliasName);
        var metricAlias = UnknownAlias;
        var outcome = "error";
        var statusCode = 0;
        using var activity = ScepDiagnostics.Source.StartActivity(ActivityKind.Server, name: "SCEP " + _table.Normalize(operation));
        try
        {
            if (!_aliases.TryGetValue(aliasName, out var alias))
            {
                ScepLog.BadRequest(_logger, loggedAlias, ScepLog.Printable(operation), "unknown alias");
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
            // A fault of the host (store down, HSM token removed): 503, the condition is temporary (RFC 9110 §15.6.4) and
            // the client should retry later (RFC 8894 §3.3.2.2 leaves a transport failure as "try again"). Never echo the
            // exception. Nothing was half-written: a failed authority call leaves its transaction retryable.
            ScepLog.InternalError(_logger, e, loggedAlias, ScepLog.Printable(operation));
            return Outcome(ScepHttpResponse.Error(503, "The SCEP server could not process the request; try again later."), out outcome, out statusCode);
        }
        finally
        {
            var normalized = _table.Normalize(operation);
            if (activity is not null)
            {
                // Tags as bounded as the metrics': a known alias or one fixed value, a known operation.
                activity.SetTag("scep.alias", metricAlias).SetTag("scep.operation", normalized).SetTag("scep.outcome", outcome)
                    .SetTag("http.response.status_code", statusCode);
                if (statusCode >= 500 || outcome is "error")
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            ScepLog.RequestCompleted(_logger, loggedAlias, normalized, outcome, statusCode);
            _metrics.Request(metricAlias, normalized, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async ValueTask<(ScepHttpResponse Response, string Outcome)> DispatchAsync(
        AliasRuntime alias, ScepHttpRequest request, QueryParameters query, string operation, CancellationToken cancellationToken)
    {
        // RFC 8894 §4.1: GET for every operation, POST for PKIOperation only (HEAD is answered like GET, without a body).
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
            return (ScepHttpResponse.Error(405, $"Only PKIOperation may be sent by POST; {ScepLog.Printable(operation)} uses GET."), "bad-method");
        }

        if (operation.Equals(ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase))
        {
            return await _pkiOperation.HandleAsync(alias, request, query.RawMessage, isPost, cancellationToken).ConfigureAwait(false);
        }

        if (_table.Get(operation) is not { } caOperation)
        {
            ScepLog.BadRequest(_logger, alias.Name, ScepLog.Printable(operation), "unknown operation");
            return (ScepHttpResponse.Error(400, $"Unknown operation '{ScepLog.Printable(operation)}'."), "bad-request");
        }

        if (_caIdentifiers.Resolve(alias, query.RawMessage) is not { } caName)
        {
            return (ScepHttpResponse.Error(404, "No CA matches the identifier in 'message'."), "unknown-ca");
        }

        var ca = await CredentialLookup.GetAsync(_credentials, caName, cancellationToken).ConfigureAwait(false);
        return await caOperation.HandleAsync(alias, ca, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsPost(ScepHttpRequest request) => string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase);

    private static ScepHttpResponse Outcome(ScepHttpResponse response, out string outcome, out int statusCode)
    {
        outcome = response.StatusCode == 404 ? "not-found" : "error";
        statusCode = response.StatusCode;
        return response;
    }
}
