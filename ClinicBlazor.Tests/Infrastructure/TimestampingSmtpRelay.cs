using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ClinicBlazor.Tests.Infrastructure;

/// <summary>
/// A small real SMTP server on loopback that notes, per recipient, the instant it received the end
/// of a message's DATA (the moment an SMTP server accepts it), then forwards the message to another
/// server (maildev). maildev's own <c>time</c> is the message's Date header, which the sender wrote
/// with one-second resolution before sending, so it cannot time acceptance.
/// </summary>
public sealed class TimestampingSmtpRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, DateTime> accepted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Channel<(string From, List<string> To, byte[] Data)> forwards = Channel.CreateUnbounded<(string, List<string>, byte[])>();
    private readonly string forwardHost;
    private readonly int forwardPort;
    private readonly Task acceptLoop;
    private readonly Task forwardLoop;

    public TimestampingSmtpRelay(string forwardHost, int forwardPort)
    {
        this.forwardHost = forwardHost;
        this.forwardPort = forwardPort;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptAsync();
        forwardLoop = ForwardAsync();
    }

    public int Port { get; }

    /// <summary>Called as each message's DATA ends, before the relay answers (a test moves its fake clock on here).</summary>
    public Action? Accepting { get; init; }

    /// <summary>When each recipient's first message was accepted (end of DATA), UTC.</summary>
    public IReadOnlyDictionary<string, DateTime> AcceptedUtc => accepted;

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            await using var reader = new BufferedStream(stream, 64 * 1024);
            var token = stopping.Token;
            try
            {
                await WriteAsync(stream, "220 relay ESMTP", token);
                var from = "";
                var to = new List<string>();
                while (await ReadLineAsync(reader, token) is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            await WriteAsync(stream, "250-relay\r\n250-8BITMIME\r\n250 SIZE 52428800", token);
                            break;
                        case "HELO":
                        case "NOOP":
                            await WriteAsync(stream, "250 OK", token);
                            break;
                        case "RSET":
                            from = "";
                            to.Clear();
                            await WriteAsync(stream, "250 OK", token);
                            break;
                        case "MAIL":
                            from = Address(line);
                            to.Clear();
                            await WriteAsync(stream, "250 OK", token);
                            break;
                        case "RCPT":
                            to.Add(Address(line));
                            await WriteAsync(stream, "250 OK", token);
                            break;
                        case "DATA":
                            await WriteAsync(stream, "354 End data with <CR><LF>.<CR><LF>", token);
                            var data = await ReadDataAsync(reader, token);
                            var at = DateTime.UtcNow;
                            foreach (var recipient in to)
                            {
                                accepted.TryAdd(recipient, at);
                            }

                            forwards.Writer.TryWrite((from, to.ToList(), data));
                            Accepting?.Invoke();
                            await WriteAsync(stream, "250 OK queued", token);
                            break;
                        case "QUIT":
                            await WriteAsync(stream, "221 Bye", token);
                            return;
                        default:
                            await WriteAsync(stream, "502 Command not implemented", token);
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the relay is stopping.
            }
        }
    }

    private async Task ForwardAsync()
    {
        using var client = new SmtpClient();
        try
        {
            await foreach (var (from, to, data) in forwards.Reader.ReadAllAsync(stopping.Token))
            {
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(forwardHost, forwardPort, SecureSocketOptions.None, stopping.Token);
                }

                using var message = await MimeMessage.LoadAsync(new MemoryStream(data), stopping.Token);
                await client.SendAsync(message, MailboxAddress.Parse(from), to.Select(MailboxAddress.Parse), stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static async Task WriteAsync(NetworkStream stream, string reply, CancellationToken token) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), token);

    /// <summary>One CRLF-terminated line (without it), or null at the end of the stream.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken token)
    {
        var bytes = await ReadRawLineAsync(stream, token);
        return bytes is null ? null : Encoding.Latin1.GetString(bytes);
    }

    private static async Task<byte[]?> ReadRawLineAsync(Stream stream, CancellationToken token)
    {
        var line = new MemoryStream();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, token) == 0)
            {
                return null;
            }

            if (one[0] == '\n')
            {
                var bytes = line.ToArray();
                return bytes.Length > 0 && bytes[^1] == '\r' ? bytes[..^1] : bytes;
            }

            line.WriteByte(one[0]);
        }
    }

    /// <summary>The message up to the lone "." line, with dot-stuffing undone.</summary>
    private static async Task<byte[]> ReadDataAsync(Stream stream, CancellationToken token)
    {
        var data = new MemoryStream();
        while (await ReadRawLineAsync(stream, token) is { } line)
        {
            if (line is [(byte)'.'])
            {
                break;
            }

            data.Write(line is [(byte)'.', ..] ? line.AsSpan(1) : line);
            data.Write("\r\n"u8);
        }

        return data.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await Task.WhenAll(acceptLoop, forwardLoop);
        stopping.Dispose();
    }
}
