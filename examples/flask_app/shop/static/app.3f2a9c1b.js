console.log("shop app v1");
