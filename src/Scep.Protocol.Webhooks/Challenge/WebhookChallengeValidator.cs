using System.Security.Cryptography;
using System.Threading.Tasks;
using System.Threading;
using System;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Asks an HTTPS receiver whether an initial enrollment on one of <see cref="WebhookChallengeOptions.Aliases"/> may
/// go on: posts the request's alias, transactionID, challenge, CSR and its names, signed (<see cref="WebhookSignature"/>),
/// and follows the receiver's signed answer (allow with profile data, deny with a reason, pending). It fails closed:
/// no answer, an error status, an answer that is not valid JSON or not signed for this delivery all give a signed
/// FAILURE (or PENDING while the receiver is down, with <see cref="WebhookUnavailableBehavior.Pending"/>); as for any
/// validator, nothing is spent unless it allows (see docs/webhooks.md).
/// </summary>
public sealed class WebhookChallengeValidator : IChallengeValidator, IDisposable
{
    /// <summary>The failInfoText when the receiver cannot be reached, is too slow or answers 5xx.</summary>
    public const string UnavailableReason = "The enrollment webhook is unavailable.";

    /// <summary>The failInfoText when the receiver's answer is refused (an error status, too large, not valid, not signed).</summary>
    public const string InvalidAnswerReason = "The enrollment webhook gave no valid answer.";

    /// <summary>The failInfoText of a deny without a reason.</summary>
    public const string DeniedReason = "The enrollment webhook denied the request.";

    private readonly WebhookChallengeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookSender _sender;

    /// <summary>Creates the validator (<see cref="WebhookScepServerBuilderExtensions.AddWebhookChallenge"/> registers it).</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="time">The clock for the signatures' timestamps.</param>
    /// <param name="logger">The log.</param>
    public WebhookChallengeValidator(IOptions<WebhookChallengeOptions> options, TimeProvider time, ILogger<WebhookChallengeValidator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _sender = new WebhookSender(_options, time);
    }

    /// <inheritdoc />
    public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.Aliases.Contains(context.Alias))
        {
            return ChallengeDecision.Abstain;
        }

        var deliveryId = NewDeliveryId();
        var body = WebhookChallengeRequest.Write(context, deliveryId, _time.GetUtcNow(), _options.SendChallenge);
        var reply = await _sender.PostAsync(body, deliveryId, cancellationToken).ConfigureAwait(false);
        var decision = Decide(reply, deliveryId, out var problem);
        if (problem is null)
        {
            WebhookLog.ChallengeDecided(_logger, _options.Url, deliveryId, context.Alias, context.Request.TransactionId, decision.Outcome.ToString());
        }
        else
        {
            WebhookLog.ChallengeFailed(_logger, _options.Url, deliveryId, context.Alias, context.Request.TransactionId, problem, decision.Outcome.ToString());
        }

        return decision;
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _sender.Dispose();

    /// <summary>A delivery id: 128 random bits (RFC 4086 §6.3 strength) in hex, prefixed for readability in logs.</summary>
    internal static string NewDeliveryId() => "whd_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private ChallengeDecision Decide(WebhookReply reply, string deliveryId, out string? problem)
    {
        switch (reply.Failure)
        {
            case WebhookFailure.Unavailable:
                problem = reply.Detail;
                return _options.WhenUnavailable == WebhookUnavailableBehavior.Pending
                    ? ChallengeDecision.Pending
                    : Refuse(UnavailableReason);
            case WebhookFailure.TooLarge:
                problem = reply.Detail;
                return Refuse(InvalidAnswerReason);
        }

        if (reply.StatusCode is < 200 or > 299)
        {
            // 3xx (redirects are not followed) and 4xx: the receiver or its URL is wrong, not down.
            problem = "HTTP " + reply.StatusCode;
            return Refuse(InvalidAnswerReason);
        }

        // The answer is signed over its own timestamp, this delivery's id and its body: an answer recorded for another
        // request does not verify here (the same defence as a nonce in a challenge-response exchange).
        if (!WebhookSignature.Verify(_options.Secret!, reply.Timestamp, deliveryId, reply.Body.Span, reply.Signature, _time.GetUtcNow(), _options.SignatureTolerance))
        {
            problem = reply.Signature is null ? "answer not signed" : "answer signature not valid or stale";
            return Refuse(InvalidAnswerReason);
        }

        if (!WebhookChallengeAnswer.TryParse(reply.Body, _options, out var decision, out var reason, out var profileData, out var parseProblem))
        {
            problem = parseProblem;
            return Refuse(InvalidAnswerReason);
        }

        problem = null;
        return decision switch
        {
            "allow" => ChallengeDecision.Allow(profileData),
            "pending" => ChallengeDecision.Pending,
            _ => ChallengeDecision.Deny(FailInfo.BadRequest, reason ?? DeniedReason),
        };
    }

    private static ChallengeDecision Refuse(string reason) => ChallengeDecision.Deny(FailInfo.BadRequest, reason);
}
