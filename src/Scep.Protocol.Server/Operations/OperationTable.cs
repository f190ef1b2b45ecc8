using System;
using System.Collections.Generic;

namespace Scep.Protocol.Server;

/// <summary>
/// The one table of what the server answers: the GET operations by <c>operation</c> name (RFC 8894 §4.2-4.7; names are
/// matched case-insensitively, reference §2.3) and, inside PKIOperation, the handler of each messageType (§3.3).
/// </summary>
internal sealed class OperationTable
{
    private readonly Dictionary<string, ICaOperation> _getOperations;
    private readonly Dictionary<MessageType, IPkiMessageOperation> _messageTypes;

    public OperationTable(ICaOperation[] getOperations, EnrollOperation enroll, CertPollOperation certPoll, GetCertOperation getCert, GetCrlOperation getCrl)
    {
        _getOperations = new Dictionary<string, ICaOperation>(StringComparer.OrdinalIgnoreCase);
        foreach (var operation in getOperations)
        {
            _getOperations.Add(operation.Name, operation);
        }

        _messageTypes = new Dictionary<MessageType, IPkiMessageOperation>
        {
            [MessageType.PKCSReq] = enroll,
            [MessageType.RenewalReq] = enroll,
            [MessageType.UpdateReq] = enroll,
            [MessageType.CertPoll] = certPoll,
            [MessageType.GetCert] = getCert,
            [MessageType.GetCRL] = getCrl,
        };
    }

    /// <summary>The GET operation of this name, or null.</summary>
    public ICaOperation? Get(string operation) => _getOperations.GetValueOrDefault(operation);

    /// <summary>The handler of a messageType on an alias, or null when the alias does not serve it.</summary>
    public IPkiMessageOperation? For(MessageType messageType, AliasRuntime alias) =>
        _messageTypes.TryGetValue(messageType, out var operation) && operation.IsServedBy(alias) ? operation : null;

    /// <summary>The operation's name as logged and tagged in metrics: its canonical spelling, or "other".</summary>
    public string Normalize(string operation) =>
        operation.Equals(ScepOperation.PKIOperation, StringComparison.OrdinalIgnoreCase) ? ScepOperation.PKIOperation
            : _getOperations.TryGetValue(operation, out var known) ? known.Name
            : "other";
}
