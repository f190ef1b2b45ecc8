using System.Threading.Tasks;
using System.Threading;
using System;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scep.Protocol.Server;

namespace Scep.Protocol.Webhooks;

/// <summary>
/// Posts enrollment events (<see cref="WebhookNotifierOptions.Events"/>) as signed JSON to a receiver. Delivery is
/// best effort: one attempt, and with <see cref="WebhookNotifierOptions.RetryOnce"/> one more at once after a
/// connection error, a timeout or a 5xx, with the same delivery id (so a receiver can drop a duplicate); each
/// attempt within <see cref="WebhookEndpointOptions.Timeout"/> and all of it within the server's
/// <see cref="ScepServerOptions.ObserverTimeout"/>. Any 2xx is delivered; the answer's body is read within bounds and
/// ignored. A notification that was not delivered is logged and lost (nothing is queued), and never changes what
/// the device gets.
/// </summary>
public sealed class WebhookNotifier : IEnrollmentObserver, IDisposable
{
    private readonly WebhookNotifierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookSender _sender;

    /// <summary>Creates the notifier (<see cref="WebhookScepServerBuilderExtensions.AddWebhookNotifier"/> registers it).</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="time">The clock for the timestamps.</param>
    /// <param name="logger">The log.</param>
    public WebhookNotifier(IOptions<WebhookNotifierOptions> options, TimeProvider time, ILogger<WebhookNotifier> logger)
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
    public async ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(enrollmentEvent);
        if (!_options.Events.Contains(enrollmentEvent.Kind)
            || (_options.Aliases.Count > 0 && !_options.Aliases.Contains(enrollmentEvent.Alias)))
        {
            return;
        }

        var kind = WebhookEventPayload.KindName(enrollmentEvent.Kind);
        var deliveryId = WebhookChallengeValidator.NewDeliveryId();
        var body = WebhookEventPayload.Write(enrollmentEvent, deliveryId, _time.GetUtcNow());
        var attempts = 0;
        string problem;
        try
        {
            while (true)
            {
                attempts++;
                var reply = await _sender.PostAsync(body, deliveryId, cancellationToken).ConfigureAwait(false);
                if (reply.Failure != WebhookFailure.Unavailable && reply.StatusCode is >= 200 and <= 299)
                {
                    WebhookLog.NotificationDelivered(_logger, _options.Url, deliveryId, kind, reply.StatusCode);
                    return;
                }

                problem = reply.Detail ?? "HTTP " + reply.StatusCode;
                if (reply.Failure != WebhookFailure.Unavailable || !_options.RetryOnce || attempts == 2)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            problem = "the server's observer timeout";
        }

        WebhookLog.NotificationFailed(_logger, _options.Url, deliveryId, kind, attempts, problem);
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _sender.Dispose();
}
