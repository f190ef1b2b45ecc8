namespace Scep.Protocol.Server;

/// <summary>
/// A message that cannot be read or fails a check of RFC 8894 §3 arrives as a <see cref="ScepException"/> from the codec;
/// this turns it into the refusal the client gets (RFC 8894 §3.2.1.4: failInfo by <see cref="ScepErrorExtensions.ToFailInfo"/>).
/// </summary>
internal static class UnreadableInput
{
    public static ScepRefusal ToRefusal(ScepException exception)
    {
        var failInfo = exception.FailInfo;
        var category = failInfo switch
        {
            FailInfo.BadAlg => RefusalCategory.Algorithm,
            FailInfo.BadTime => RefusalCategory.SigningTime,
            _ => RefusalCategory.MessageCheck,
        };
        return new ScepRefusal(failInfo, exception.Message, category);
    }
}
