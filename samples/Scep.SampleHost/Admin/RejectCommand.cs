using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.SampleHost.Admin;

/// <summary><c>reject ID</c>: refuses a pending request; the client's next poll gets FAILURE.</summary>
internal sealed class RejectCommand : AdminCommand
{
    private readonly Argument<string> _id;
    private readonly Option<string?> _reason;

    public RejectCommand()
        : base("reject", "refuse a pending request")
    {
        _id = AddArgument("ID", "The request's ID, from list-pending");
        _reason = AddOption("--reason", "R", "The text the client's next poll gets with FAILURE");
    }

    public override async Task RunAsync(ParseResult parse, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        var id = parse.GetValue(_id)!;
        await admin.RejectAsync(id, parse.GetValue(_reason), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Rejected {id}.").ConfigureAwait(false);
    }
}
