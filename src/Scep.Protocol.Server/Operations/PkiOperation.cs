using System.Diagnostics;
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Scep.Protocol.Server;

/// <summary>
/// PKIOperation, RFC 8894 §4.3: the pkiMessage from the transport, decoded (HTTP 400 when it is not one); from then on
/// every answer is a signed CertRep, HTTP 200 (§3.3.2). The messageType picks the handler from the <see cref="OperationTable"/>;
/// the stateless <see cref="RequestChecks"/> run first; a refusal of any rule comes back as a value. Afterwards the reply
/// is logged with its refusal category, counted, and told to the <see cref="IEnrollmentObserver"/>s.
/// </summary>
internal sealed class PkiOperation(
    OperationTable table, IScepCredentialProvider credentialProvider, EnrollmentObservers observers, ScepMetrics metrics, TimeProvider time, ILogger logger)
{
    public async ValueTask<(ScepHttpResponse Response, string Outcome)> HandleAsync(
        AliasRuntime alias, ScepHttpRequest request, string? rawMessage, bool isPost, CancellationToken cancellationToken)
    {
        var options = alias.Options;
        if (isPost ? !options.AllowPost : !options.AllowGet)
        {
            return (ScepHttpResponse.Error(405, isPost ? "This alias does not accept PKIOperation by POST." : "This alias accepts PKIOperation only by POST."), "bad-method");
        }

        if (!isPost && string.IsNullOrEmpty(rawMessage))
        {
            return (ScepHttpResponse.Error(400, "PKIOperation by GET needs the 'message' parameter."), "bad-request");
        }

        var (body, refused) = isPost
            ? await PkiMessageBody.ReadPostAsync(request, options.MaxMessageSize, cancellationToken).ConfigureAwait(false)
            : PkiMessageBody.ReadGet(rawMessage!, options.MaxMessageSize);
        if (body is null)
        {
            return (refused!, refused!.StatusCode is 413 or 414 ? "too-large" : "bad-request");
        }

        PkiMessage message;
        using (body)
        {
            try
            {
                message = PkiMessage.Decode(body.Bytes);
            }
            catch (ScepException e)
            {
                ScepLog.BadRequest(logger, alias.Name, ScepOperation.PKIOperation, e.Reason.ToString());
                return (ScepHttpResponse.Error(400, "The request is not a SCEP pkiMessage: " + e.Message), "bad-request");
            }
        }

        var credentials = await CredentialLookup.GetAsync(credentialProvider, options.CaName, cancellationToken).ConfigureAwait(false);
        var x = new Exchange(alias, credentials, message, time.GetUtcNow());
        var result = await ProcessAsync(x, cancellationToken).ConfigureAwait(false);
        await ReportAsync(x, result).ConfigureAwait(false);
        var outcome = result.Reply.Status switch
        {
            PkiStatus.Success => "success",
            PkiStatus.Pending => "pending",
            _ => "failure",
        };
        return (ScepHttpResponse.Ok(ScepContentTypes.PkiMessage, result.Reply.RawData), outcome);
    }

    private async ValueTask<OperationResult> ProcessAsync(Exchange x, CancellationToken cancellationToken)
    {
        RequestChecks.ChooseRecipient(x);
        Activity.Current?.SetTag("scep.message_type", x.Request.MessageType.ToString());
        var operation = table.For(x.Request.MessageType, x.Alias);
        if (operation is null)
        {
            return x.Failure(new ScepRefusal(FailInfo.BadRequest, $"messageType {x.Request.MessageType} is not supported here.", RefusalCategory.UnsupportedMessage));
        }

        try
        {
            var content = RequestChecks.Run(x);
            return await operation.HandleAsync(x, content, cancellationToken).ConfigureAwait(false);
        }
        catch (ScepException e)
        {
            return x.Failure(UnreadableInput.ToRefusal(e));
        }
    }

    /// <summary>The log line, the counters, and the observers, after the reply's state was committed.</summary>
    private async ValueTask ReportAsync(Exchange x, OperationResult result)
    {
        var request = x.Request;
        var reply = result.Reply;
        var status = reply.Status ?? PkiStatus.Failure;
        var transactionId = ScepLog.Printable(request.TransactionId);
        if (result.Refusal is { } refusal)
        {
            ScepLog.PkiOperationRefused(logger, x.Alias.Name, request.MessageType, refusal.Category, transactionId, status, refusal.FailInfo);
            metrics.Failure(x.Alias.Name, refusal.FailInfo);
        }
        else
        {
            ScepLog.PkiOperation(logger, x.Alias.Name, request.MessageType, transactionId, status);
        }

        if (result.Event is { Kind: EnrollmentEventKind.Issued })
        {
            metrics.Issued(x.Alias.Name);
        }

        if (!observers.Any)
        {
            return;
        }

        // Events are facts once committed: they are delivered whether or not the client is still there, all of one
        // reply's events under one timeout. A refusal answered again from the record (a re-send, a poll) was reported
        // when it was decided.
        var events = new List<EnrollmentEvent>(2);
        if (result.Event is { } committed)
        {
            events.Add(committed);
        }

        var isEnrollment = request.MessageType is MessageType.PKCSReq or MessageType.RenewalReq or MessageType.UpdateReq or MessageType.CertPoll;
        if (result.Refusal is { } refused && isEnrollment && result.Event is null && !result.FromRecord)
        {
            events.Add(Event(x, EnrollmentEventKind.Refused, refusal: refused));
        }

        if (request.MessageType == MessageType.CertPoll)
        {
            events.Add(Event(x, EnrollmentEventKind.Polled, pollStatus: status));
        }

        await observers.NotifyAllAsync(events, CancellationToken.None).ConfigureAwait(false);
    }

    private static EnrollmentEvent Event(Exchange x, EnrollmentEventKind kind, ScepRefusal? refusal = null, PkiStatus? pollStatus = null) =>
        new(kind, x.Alias.Name, x.Alias.Options.CaName, x.Now)
        {
            TransactionId = x.Request.TransactionId,
            MessageType = x.Request.MessageType,
            Username = x.Csr?.CommonName,
            CertificationRequest = x.Csr,
            Refusal = refusal,
            PollStatus = pollStatus,
        };
}
