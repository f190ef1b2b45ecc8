using System;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Scep.Protocol.Server;

namespace Scep.Protocol.Intune;

/// <summary>
/// Asks Intune whether an initial enrollment on one of <see cref="IntuneOptions.Aliases"/> carries a challenge Intune
/// issued for this device: <c>validateRequest</c> with the transactionID, the PKCS#10 request (base64 DER) and the
/// caller's name (IntuneScepValidator.cs, ValidateRequestAsync). Code <c>Success</c> allows; any other code denies,
/// the device getting a FAILURE that names it; when Intune cannot be asked, the device gets FAILURE or PENDING per
/// <see cref="IntuneOptions.WhenUnavailable"/>. Nothing is spent on a request that is not allowed. Registered by
/// <see cref="IntuneScepServerBuilderExtensions.AddIntuneValidation"/>, with the notifier on the same connection.
/// </summary>
public sealed class IntuneChallengeValidator : IChallengeValidator
{
    /// <summary>The failInfoText while Intune cannot be asked.</summary>
    public const string UnavailableReason = "Intune could not validate the request; try again later.";

    private readonly IntuneOptions _options;
    private readonly IntuneService _service;
    private readonly ILogger _logger;

    internal IntuneChallengeValidator(IntuneOptions options, IntuneService service, ILogger<IntuneChallengeValidator> logger)
    {
        _options = options;
        _service = service;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async ValueTask<ChallengeDecision> ValidateAsync(ChallengeValidationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_options.Aliases.Contains(context.Alias))
        {
            return ChallengeDecision.Abstain;
        }

        // IntuneScepValidator.cs: {"request": {"transactionId", "certificateRequest" (base64 PKCS#10), "callerInfo"}}.
        var body = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["transactionId"] = context.Request.TransactionId,
                ["certificateRequest"] = Convert.ToBase64String(context.CertificationRequest.RawData.Span),
                ["callerInfo"] = _options.ProviderNameAndVersion,
            },
        };
        try
        {
            var (code, description) = await _service.PostAsync(IntuneWire.ValidatePath, body, cancellationToken).ConfigureAwait(false);
            IntuneLog.Validated(_logger, context.Alias, context.Request.TransactionId, code);
            return code == IntuneWire.SuccessCode
                ? ChallengeDecision.Allow()
                : ChallengeDecision.Deny(FailInfo.BadRequest, Reason(code, description));
        }
        catch (IntuneUnavailableException e)
        {
            IntuneLog.Unavailable(_logger, context.Alias, context.Request.TransactionId, e.Message);
            return _options.WhenUnavailable == IntuneUnavailableBehavior.Pending
                ? ChallengeDecision.Pending
                : ChallengeDecision.Deny(FailInfo.BadRequest, UnavailableReason);
        }
    }


    /// <summary>The failInfoText of a refusal: Intune's code (IntuneScepServiceException.cs, ErrorCode) and its description, printable and short.</summary>
    internal static string Reason(string code, string? description)
    {
        var text = $"Intune refused the request: {code}" + (string.IsNullOrWhiteSpace(description) ? "." : $" ({description}).");
        var printable = new char[Math.Min(text.Length, 200)];
        for (var i = 0; i < printable.Length; i++)
        {
            printable[i] = text[i] is >= ' ' and <= '~' ? text[i] : ' ';
        }

        return new string(printable);
    }
}
