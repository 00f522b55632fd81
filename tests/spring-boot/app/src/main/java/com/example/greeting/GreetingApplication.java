package com.example.greeting;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A one-endpoint web application written the way any Spring Boot user would write it. It
 * knows nothing of TLS providers or entropy sources: HTTPS and the keystore come from
 * configuration given at start-up.
 */
@SpringBootApplication
@RestController
public class GreetingApplication {

    /** Starts the embedded web server. */
    public static void main(String[] args) {
        SpringApplication.run(GreetingApplication.class, args);
    }

    /** Answers a fixed greeting, so a client can tell a full round trip succeeded. */
    @GetMapping("/greeting")
    public String greeting() {
        return "hello from an unchanged Spring Boot app\n";
    }
}
