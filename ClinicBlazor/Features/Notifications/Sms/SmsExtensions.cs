using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClinicBlazor.Features.Notifications.Sms;

public static class SmsExtensions
{
    /// <summary>
    /// The SMS sender (Twilio when <c>Notifications:Sms:Twilio:AccountSid</c> is set, otherwise the
    /// development sink), its validated options, and a default <see cref="ISmsStatusSink"/> that the
    /// notice pipeline replaces by registering its own.
    /// </summary>
    public static WebApplicationBuilder AddSms(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmsOptions>, SmsOptionsValidator>();
        services.TryAddScoped<ISmsStatusSink, LoggingSmsStatusSink>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient<TwilioSmsSender>((provider, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<SmsOptions>>().Value.Twilio.TimeoutSeconds);
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var connectTimeout = TimeSpan.FromSeconds(Math.Max(1, provider.GetRequiredService<IOptions<SmsOptions>>().Value.Twilio.TimeoutSeconds / 2.0));
                return new SocketsHttpHandler
                {
                    ConnectCallback = (context, cancellationToken) => ConnectAsync(context, connectTimeout, cancellationToken),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                };
            });
        services.AddSingleton<DevSinkSmsSender>();
        services.AddTransient<ISmsSender>(provider => provider.GetRequiredService<IOptions<SmsOptions>>().Value.UsesTwilio
            ? provider.GetRequiredService<TwilioSmsSender>()
            : provider.GetRequiredService<DevSinkSmsSender>());
        services.AddHostedService<SmsStartupWarnings>();
        return builder;
    }

    /// <summary>
    /// Connects within half the send timeout and reports a connection that could not be made as a
    /// connection error (nothing sent: transient), never as the request timeout that means "sent,
    /// answer unknown". SocketsHttpHandler's own ConnectTimeout would surface as that timeout.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, deadline.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static WebApplication MapSmsWebhooks(this WebApplication app)
    {
        app.MapPost(SmsStatusWebhook.Path, SmsStatusWebhook.HandleAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }
}

/// <summary>Says at start-up what the SMS settings mean in practice, where it matters.</summary>
internal sealed class SmsStartupWarnings(IOptions<SmsOptions> options, IHostEnvironment environment, ILogger<SmsStartupWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var sms = options.Value;
        if (!sms.UsesTwilio)
        {
            var directory = Path.GetFullPath(sms.DevSinkDirectory, environment.ContentRootPath);
            if (environment.IsDevelopment())
            {
                logger.LogInformation("No Twilio account configured: SMS are written to {Directory}", directory);
            }
            else
            {
                logger.LogWarning(
                    "No Twilio account configured: SMS are written to {Directory}, with patient names in clear, and nobody receives them. Set Notifications:Sms:Twilio:* to send real SMS.",
                    directory);
            }
        }
        else if (!sms.Twilio.HasAuthToken)
        {
            logger.LogWarning("Twilio is configured with an API key only: no status callbacks are requested, so SMS stay 'Sent' and never show 'Delivered' or 'Undelivered'. Set Notifications:Sms:Twilio:AuthToken for delivery reports.");
        }
        else if (string.IsNullOrWhiteSpace(sms.Twilio.StatusCallbackUrl))
        {
            logger.LogWarning("Notifications:Sms:Twilio:StatusCallbackUrl is not set: no status callbacks are requested, so SMS never show 'Delivered' or 'Undelivered'.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
