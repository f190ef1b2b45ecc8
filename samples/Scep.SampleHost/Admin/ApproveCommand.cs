using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>approve ID</c>: issues the certificate of a pending request.</summary>
internal sealed class ApproveCommand : AdminCommand
{
    private readonly Argument<string> _id;

    public ApproveCommand()
        : base("approve", "issue the certificate of a pending request (delivered at the next poll)")
    {
        _id = AddArgument("ID", "The request's ID, from list-pending");
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var id = parse.GetValue(_id)!;
        var issued = await admin.ApproveAsync(id, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Approved {id}: issued serial {issued.SerialNumber} to {issued.Subject}; the client receives it at its next poll.").ConfigureAwait(false);
    }
}
